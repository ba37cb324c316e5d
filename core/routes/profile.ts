import { createRoute, z } from "@hono/zod-openapi";
import { ADMINS, contract, SIGNED_IN } from "../http/contract.ts";
import * as me from "../academics/me.ts";
import { COURSE_ROLES } from "../../shared/db/schema/academics.ts";
import { pageQuery } from "../academics/pagination.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, IdParam, jsonResponse, pageSchema, scoped } from "./common.ts";

const tags = ["me"];

const myCourses = createRoute({
  method: "get",
  path: "/v1/me/courses",
  tags,
  summary: "The courses the caller is enrolled in, with their role in each",
  ...contract({ access: SIGNED_IN, cache: "private" }),
  request: {
    query: z.object({
      ...pageQuery,
      sort: z.string().optional().openapi({
        description: "code, title or createdAt; prefix - for descending",
      }),
      semesterId: z.uuid().optional(),
      courseRole: z.enum(COURSE_ROLES).optional(),
    }),
  },
  responses: {
    200: jsonResponse(pageSchema(me.MyCourse), "A page of the caller's courses"),
    ...errorResponses,
  },
});
const getProfile = createRoute({
  method: "get",
  path: "/v1/me/profile",
  tags,
  summary: "The caller's academic profile",
  ...contract({ access: SIGNED_IN, cache: "private" }),
  responses: { 200: jsonResponse(me.Profile, "The profile"), ...errorResponses },
});
const patchProfile = createRoute({
  method: "patch",
  path: "/v1/me/profile",
  tags,
  summary: "Change the caller's name or preferred language",
  ...contract({ access: SIGNED_IN }),
  request: { body: { content: { "application/json": { schema: me.OwnProfilePatch } }, required: true } },
  responses: { 200: jsonResponse(me.Profile, "The profile"), ...errorResponses },
});
const putUserProfile = createRoute({
  method: "put",
  path: "/v1/users/{id}/profile",
  tags: ["users"],
  summary: "Set a user's profile, faculty included (admins)",
  ...contract({ access: ADMINS }),
  request: {
    params: IdParam,
    body: { content: { "application/json": { schema: me.AdminProfilePatch } }, required: true },
  },
  responses: { 200: jsonResponse(me.Profile, "The profile"), ...errorResponses },
});

/** The caller's own courses and profile, and the admins' profile editor. */
export function registerProfileRoutes(app: CoreApp): void {
  app.openapi(myCourses, async (c) => {
    const query = c.req.valid("query");
    return c.json(await scoped(c, (ctx) => me.listMyCourses(ctx, query), { readOnly: true }), 200);
  });
  app.openapi(
    getProfile,
    async (c) => c.json(await scoped(c, (ctx) => me.getMyProfile(ctx), { readOnly: true }), 200),
  );
  app.openapi(patchProfile, async (c) => {
    const body = c.req.valid("json");
    return c.json(await scoped(c, (ctx) => me.updateMyProfile(ctx, body)), 200);
  });
  app.openapi(putUserProfile, async (c) => {
    const body = c.req.valid("json");
    const { id } = c.req.valid("param");
    return c.json(await scoped(c, (ctx) => me.setUserProfile(ctx, id, body)), 200);
  });
}
