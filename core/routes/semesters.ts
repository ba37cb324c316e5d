import { createRoute, z } from "@hono/zod-openapi";
import { ADMINS, contract, SIGNED_IN } from "../http/contract.ts";
import { PRIVATE_CACHE } from "../http/cache.ts";
import * as semesters from "../academics/semesters.ts";
import { includeDeletedQuery, pageQuery } from "../academics/pagination.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, IdParam, jsonResponse, pageSchema, scoped } from "./common.ts";

const tags = ["semesters"];
const ListQuery = z.object({
  ...pageQuery,
  sort: z.string().optional().openapi({
    description: "startsOn, name or createdAt; prefix - for descending",
  }),
  facultyId: z.uuid().optional(),
  active: z.enum(["true", "false"]).optional().transform((v) => v === undefined ? undefined : v === "true"),
  includeDeleted: includeDeletedQuery,
});

const list = createRoute({
  method: "get",
  path: "/v1/semesters",
  tags,
  summary: "List semesters (catalog)",
  ...contract({ access: SIGNED_IN, cache: "public" }),
  request: { query: ListQuery },
  responses: { 200: jsonResponse(pageSchema(semesters.Semester), "A page of semesters"), ...errorResponses },
});
const get = createRoute({
  method: "get",
  path: "/v1/semesters/{id}",
  tags,
  summary: "One semester (catalog)",
  ...contract({ access: SIGNED_IN, cache: "public" }),
  request: { params: IdParam, query: z.object({ includeDeleted: includeDeletedQuery }) },
  responses: { 200: jsonResponse(semesters.Semester, "The semester"), ...errorResponses },
});
const create = createRoute({
  method: "post",
  path: "/v1/semesters",
  tags,
  summary: "Create a semester (admins)",
  ...contract({ access: ADMINS, created: "/api/v1/semesters/{id}" }),
  request: {
    body: { content: { "application/json": { schema: semesters.SemesterCreate } }, required: true },
  },
  responses: { 201: jsonResponse(semesters.Semester, "Created"), ...errorResponses },
});
const update = createRoute({
  method: "patch",
  path: "/v1/semesters/{id}",
  tags,
  summary: "Change a semester (admins)",
  ...contract({ access: ADMINS }),
  request: {
    params: IdParam,
    body: { content: { "application/json": { schema: semesters.SemesterPatch } }, required: true },
  },
  responses: { 200: jsonResponse(semesters.Semester, "Changed"), ...errorResponses },
});
const remove = createRoute({
  method: "delete",
  path: "/v1/semesters/{id}",
  tags,
  summary: "Soft-delete a semester without live courses (admins)",
  ...contract({ access: ADMINS }),
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});
const restore = createRoute({
  method: "post",
  path: "/v1/semesters/{id}/restore",
  tags,
  summary: "Restore a soft-deleted semester (admins)",
  ...contract({ access: ADMINS }),
  request: { params: IdParam },
  responses: { 200: jsonResponse(semesters.Semester, "Restored"), ...errorResponses },
});

/** Semester catalog routes: reads for anyone signed in (ETag, public caching), changes for admins. */
export function registerSemesterRoutes(app: CoreApp): void {
  app.openapi(list, async (c) => {
    const query = c.req.valid("query");
    if (query.includeDeleted) c.header("Cache-Control", PRIVATE_CACHE);
    return c.json(await scoped(c, (ctx) => semesters.listSemesters(ctx, query), { readOnly: true }), 200);
  });
  app.openapi(get, async (c) => {
    const { includeDeleted } = c.req.valid("query");
    if (includeDeleted) c.header("Cache-Control", PRIVATE_CACHE);
    const id = c.req.valid("param").id;
    return c.json(
      await scoped(c, (ctx) => semesters.getSemester(ctx, id, includeDeleted), { readOnly: true }),
      200,
    );
  });
  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    return c.json(await scoped(c, (ctx) => semesters.createSemester(ctx, body)), 201);
  });
  app.openapi(update, async (c) => {
    const body = c.req.valid("json");
    const { id } = c.req.valid("param");
    return c.json(await scoped(c, (ctx) => semesters.updateSemester(ctx, id, body)), 200);
  });
  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    await scoped(c, (ctx) => semesters.deleteSemester(ctx, id));
    return c.body(null, 204);
  });
  app.openapi(restore, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await scoped(c, (ctx) => semesters.restoreSemester(ctx, id)), 200);
  });
}
