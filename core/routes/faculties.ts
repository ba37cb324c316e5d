import { createRoute, z } from "@hono/zod-openapi";
import { ADMINS, contract, SIGNED_IN } from "../http/contract.ts";
import { PRIVATE_CACHE } from "../http/cache.ts";
import * as faculties from "../academics/faculties.ts";
import { includeDeletedQuery, pageQuery } from "../academics/pagination.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, IdParam, jsonResponse, pageSchema, scoped } from "./common.ts";

const tags = ["faculties"];
const ListQuery = z.object({
  ...pageQuery,
  sort: z.string().optional().openapi({ description: "name, code or createdAt; prefix - for descending" }),
  q: z.string().max(100).optional(),
  includeDeleted: includeDeletedQuery,
});

const list = createRoute({
  method: "get",
  path: "/v1/faculties",
  tags,
  summary: "List faculties (catalog)",
  ...contract({ access: SIGNED_IN, cache: "public" }),
  request: { query: ListQuery },
  responses: { 200: jsonResponse(pageSchema(faculties.Faculty), "A page of faculties"), ...errorResponses },
});
const get = createRoute({
  method: "get",
  path: "/v1/faculties/{id}",
  tags,
  summary: "One faculty (catalog)",
  ...contract({ access: SIGNED_IN, cache: "public" }),
  request: { params: IdParam, query: z.object({ includeDeleted: includeDeletedQuery }) },
  responses: { 200: jsonResponse(faculties.Faculty, "The faculty"), ...errorResponses },
});
const create = createRoute({
  method: "post",
  path: "/v1/faculties",
  tags,
  summary: "Create a faculty (admins)",
  ...contract({ access: ADMINS, created: "/api/v1/faculties/{id}" }),
  request: { body: { content: { "application/json": { schema: faculties.FacultyCreate } }, required: true } },
  responses: { 201: jsonResponse(faculties.Faculty, "Created"), ...errorResponses },
});
const update = createRoute({
  method: "patch",
  path: "/v1/faculties/{id}",
  tags,
  summary: "Change a faculty (admins)",
  ...contract({ access: ADMINS }),
  request: {
    params: IdParam,
    body: { content: { "application/json": { schema: faculties.FacultyPatch } }, required: true },
  },
  responses: { 200: jsonResponse(faculties.Faculty, "Changed"), ...errorResponses },
});
const remove = createRoute({
  method: "delete",
  path: "/v1/faculties/{id}",
  tags,
  summary: "Soft-delete a faculty without live semesters or courses (admins)",
  ...contract({ access: ADMINS }),
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});
const restore = createRoute({
  method: "post",
  path: "/v1/faculties/{id}/restore",
  tags,
  summary: "Restore a soft-deleted faculty (admins)",
  ...contract({ access: ADMINS }),
  request: { params: IdParam },
  responses: { 200: jsonResponse(faculties.Faculty, "Restored"), ...errorResponses },
});

/** Faculty catalog routes: reads for anyone signed in (ETag, public caching), changes for admins. */
export function registerFacultyRoutes(app: CoreApp): void {
  app.openapi(list, async (c) => {
    const query = c.req.valid("query");
    if (query.includeDeleted) c.header("Cache-Control", PRIVATE_CACHE);
    return c.json(await scoped(c, (ctx) => faculties.listFaculties(ctx, query), { readOnly: true }), 200);
  });
  app.openapi(get, async (c) => {
    const { includeDeleted } = c.req.valid("query");
    if (includeDeleted) c.header("Cache-Control", PRIVATE_CACHE);
    const id = c.req.valid("param").id;
    return c.json(
      await scoped(c, (ctx) => faculties.getFaculty(ctx, id, includeDeleted), { readOnly: true }),
      200,
    );
  });
  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    return c.json(await scoped(c, (ctx) => faculties.createFaculty(ctx, body)), 201);
  });
  app.openapi(update, async (c) => {
    const body = c.req.valid("json");
    const { id } = c.req.valid("param");
    return c.json(await scoped(c, (ctx) => faculties.updateFaculty(ctx, id, body)), 200);
  });
  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    await scoped(c, (ctx) => faculties.deleteFaculty(ctx, id));
    return c.body(null, 204);
  });
  app.openapi(restore, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await scoped(c, (ctx) => faculties.restoreFaculty(ctx, id)), 200);
  });
}
