import { createRoute, z } from "@hono/zod-openapi";
import { ADMINS, contract } from "../http/contract.ts";
import type { CoreApp } from "../services.ts";
import { changeRole, deactivateUser, publicUser } from "../auth/accounts.ts";
import { pageQuery } from "../academics/pagination.ts";
import { errorResponses, jsonResponse, pageSchema } from "./common.ts";
import { callerOf } from "../auth/caller.ts";
import { UserSchema } from "../auth/http.ts";
import { Role } from "../../shared/identity.ts";
import {
  DirectoryQuery,
  DirectoryUser,
  searchUsers,
  UserEnrollment,
  userEnrollments,
} from "../accounts/directory.ts";
import { reactivateUser, signOutEverywhere, unlockUser } from "../accounts/admin_actions.ts";

const RoleChange = z.object({
  role: Role,
  reason: z.string().trim().min(1).max(500).optional()
    .openapi({ description: "Why the role changes; kept in the audit trail" }),
});

const changeRoleRoute = createRoute({
  method: "patch",
  path: "/v1/users/{id}/role",
  summary: "Change a user's role (admins only, audited)",
  ...contract({ access: ADMINS }),
  request: {
    params: z.object({ id: z.uuid() }),
    body: { content: { "application/json": { schema: RoleChange } }, required: true },
  },
  responses: {
    200: { description: "The updated user", content: { "application/json": { schema: UserSchema } } },
    ...errorResponses,
  },
});

const findRoute = createRoute({
  method: "get",
  path: "/v1/users",
  tags: ["users"],
  summary: "The user directory: search by email or name, filter by role and faculty (admins)",
  ...contract({ access: ADMINS }),
  request: { query: DirectoryQuery },
  responses: { 200: jsonResponse(pageSchema(DirectoryUser), "Matching users, by email"), ...errorResponses },
});

const enrollmentsRoute = createRoute({
  method: "get",
  path: "/v1/users/{id}/enrollments",
  tags: ["users"],
  summary: "A user's enrolments with their courses, newest first (admins)",
  ...contract({ access: ADMINS }),
  request: { params: z.object({ id: z.uuid() }), query: z.object(pageQuery) },
  responses: { 200: jsonResponse(pageSchema(UserEnrollment), "Enrolments"), ...errorResponses },
});

const deactivateRoute = createRoute({
  method: "delete",
  path: "/v1/users/{id}",
  summary:
    "Deactivate a user: sign-in refused, every session and access token revoked (admins only, audited)",
  ...contract({ access: ADMINS }),
  request: { params: z.object({ id: z.uuid() }) },
  responses: { 204: { description: "Deactivated" }, ...errorResponses },
});

const IdParam = z.object({ id: z.uuid() });

const reactivateRoute = createRoute({
  method: "post",
  path: "/v1/users/{id}/reactivate",
  tags: ["users"],
  summary:
    "Bring a deactivated account back (admins only, audited); refused if another live account took its email",
  ...contract({ access: ADMINS }),
  request: { params: IdParam },
  responses: { 200: jsonResponse(UserSchema, "The account, live again"), ...errorResponses },
});

const unlockRoute = createRoute({
  method: "post",
  path: "/v1/users/{id}/unlock",
  tags: ["users"],
  summary:
    "Forget a throttled account's failed sign-ins, so its owner can sign in at once (admins only, audited)",
  ...contract({ access: ADMINS }),
  request: { params: IdParam },
  responses: {
    200: jsonResponse(
      z.object({ failures: z.number().int().openapi({ description: "Failed sign-ins that were forgotten" }) })
        .openapi("UnlockResult"),
      "Unlocked",
    ),
    ...errorResponses,
  },
});

const signOutRoute = createRoute({
  method: "post",
  path: "/v1/users/{id}/sign-out",
  tags: ["users"],
  summary: "Sign a user out on every device: every session and access token revoked (admins only, audited)",
  ...contract({ access: ADMINS }),
  request: { params: IdParam },
  responses: { 204: { description: "Signed out everywhere" }, ...errorResponses },
});

/** `GET /v1/users`, `GET /v1/users/:id/enrollments`, `PATCH /v1/users/:id/role`, `DELETE /v1/users/:id` and the
 * admin's actions on an account (reactivate, unlock, sign out everywhere). */
export function registerUserRoutes(app: CoreApp): void {
  app.openapi(findRoute, async (c) => {
    return c.json(await searchUsers(c.get("services").database.db, c.req.valid("query")), 200);
  });
  app.openapi(enrollmentsRoute, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await userEnrollments(c.get("services").database.db, id, c.req.valid("query")), 200);
  });
  app.openapi(deactivateRoute, async (c) => {
    await deactivateUser(c.get("services"), callerOf(c).userId, c.req.valid("param").id);
    return c.body(null, 204);
  });
  app.openapi(reactivateRoute, async (c) => {
    const row = await reactivateUser(c.get("services"), callerOf(c).userId, c.req.valid("param").id);
    return c.json(publicUser(row), 200);
  });
  app.openapi(unlockRoute, async (c) => {
    return c.json(await unlockUser(c.get("services"), callerOf(c).userId, c.req.valid("param").id), 200);
  });
  app.openapi(signOutRoute, async (c) => {
    await signOutEverywhere(c.get("services"), callerOf(c).userId, c.req.valid("param").id);
    return c.body(null, 204);
  });
  app.openapi(changeRoleRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { role, reason } = c.req.valid("json");
    const row = await changeRole(c.get("services"), callerOf(c).userId, { userId: id, role, reason });
    return c.json(publicUser(row), 200);
  });
}
