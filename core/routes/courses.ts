import { createRoute, z } from "@hono/zod-openapi";
import { ADMINS, contract, SIGNED_IN, STAFF } from "../http/contract.ts";
import * as courses from "../academics/courses.ts";
import { LANGUAGES } from "../../shared/db/schema/academics.ts";
import { includeDeletedQuery, pageQuery } from "../academics/pagination.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, IdParam, jsonResponse, pageSchema, scoped } from "./common.ts";

const tags = ["courses"];
const ListQuery = z.object({
  ...pageQuery,
  sort: z.string().optional().openapi({ description: "code, title or createdAt; prefix - for descending" }),
  facultyId: z.uuid().optional(),
  semesterId: z.uuid().optional(),
  language: z.enum(LANGUAGES).optional(),
  q: z.string().max(100).optional(),
  includeDeleted: includeDeletedQuery,
});

const list = createRoute({
  method: "get",
  path: "/v1/courses",
  tags,
  summary: "List the courses in the caller's scope",
  ...contract({ access: SIGNED_IN, cache: "private" }),
  request: { query: ListQuery },
  responses: { 200: jsonResponse(pageSchema(courses.Course), "A page of courses"), ...errorResponses },
});
const get = createRoute({
  method: "get",
  path: "/v1/courses/{id}",
  tags,
  summary: "One course in the caller's scope",
  ...contract({ access: SIGNED_IN, cache: "private" }),
  request: { params: IdParam, query: z.object({ includeDeleted: includeDeletedQuery }) },
  responses: { 200: jsonResponse(courses.Course, "The course"), ...errorResponses },
});
const create = createRoute({
  method: "post",
  path: "/v1/courses",
  tags,
  summary: "Create a course (admins, academics in their faculty)",
  ...contract({ access: STAFF, created: "/api/v1/courses/{id}" }),
  request: { body: { content: { "application/json": { schema: courses.CourseCreate } }, required: true } },
  responses: { 201: jsonResponse(courses.Course, "Created"), ...errorResponses },
});
const update = createRoute({
  method: "patch",
  path: "/v1/courses/{id}",
  tags,
  summary: "Change a course the caller manages",
  ...contract({ access: STAFF }),
  request: {
    params: IdParam,
    body: { content: { "application/json": { schema: courses.CoursePatch } }, required: true },
  },
  responses: { 200: jsonResponse(courses.Course, "Changed"), ...errorResponses },
});
const remove = createRoute({
  method: "delete",
  path: "/v1/courses/{id}",
  tags,
  summary: "Soft-delete a course the caller manages (enrollments are kept)",
  ...contract({ access: STAFF }),
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});
const restore = createRoute({
  method: "post",
  path: "/v1/courses/{id}/restore",
  tags,
  summary: "Restore a soft-deleted course with its enrollments (admins)",
  ...contract({ access: ADMINS }),
  request: { params: IdParam },
  responses: { 200: jsonResponse(courses.Course, "Restored"), ...errorResponses },
});

/** Course routes: scoped reads (ETag, private caching) and changes by the course's managers. */
export function registerCourseRoutes(app: CoreApp): void {
  app.openapi(list, async (c) => {
    const query = c.req.valid("query");
    return c.json(await scoped(c, (ctx) => courses.listCourses(ctx, query), { readOnly: true }), 200);
  });
  app.openapi(get, async (c) => {
    const { includeDeleted } = c.req.valid("query");
    const id = c.req.valid("param").id;
    return c.json(
      await scoped(c, (ctx) => courses.getCourse(ctx, id, includeDeleted), { readOnly: true }),
      200,
    );
  });
  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    return c.json(await scoped(c, (ctx) => courses.createCourse(ctx, body)), 201);
  });
  app.openapi(update, async (c) => {
    const body = c.req.valid("json");
    const { id } = c.req.valid("param");
    return c.json(await scoped(c, (ctx) => courses.updateCourse(ctx, id, body)), 200);
  });
  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    await scoped(c, (ctx) => courses.deleteCourse(ctx, id));
    return c.body(null, 204);
  });
  app.openapi(restore, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await scoped(c, (ctx) => courses.restoreCourse(ctx, id)), 200);
  });
}
