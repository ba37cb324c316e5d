import { createRoute, z } from "@hono/zod-openapi";
import type { CoreApp } from "../app.ts";
import { changeRole, deactivateUser, publicUser } from "../auth/accounts.ts";
import { callerOf, requireCaller } from "../auth/caller.ts";
import { UserSchema } from "../auth/http.ts";
import { Role } from "../../shared/identity.ts";

const changeRoleRoute = createRoute({
  method: "patch",
  path: "/v1/users/{id}/role",
  summary: "Change a user's role (admins only, audited)",
  middleware: [requireCaller(["ADMIN"])] as const,
  request: {
    params: z.object({ id: z.uuid() }),
    body: { content: { "application/json": { schema: z.object({ role: Role }) } }, required: true },
  },
  responses: {
    200: { description: "The updated user", content: { "application/json": { schema: UserSchema } } },
  },
});

const deactivateRoute = createRoute({
  method: "delete",
  path: "/v1/users/{id}",
  summary:
    "Deactivate a user: sign-in refused, every session and access token revoked (admins only, audited)",
  middleware: [requireCaller(["ADMIN"])] as const,
  request: { params: z.object({ id: z.uuid() }) },
  responses: { 204: { description: "Deactivated" } },
});

/** `PATCH /v1/users/:id/role`, `DELETE /v1/users/:id`. */
export function registerUserRoutes(app: CoreApp): void {
  app.openapi(deactivateRoute, async (c) => {
    await deactivateUser(c.get("services"), callerOf(c).userId, c.req.valid("param").id);
    return c.body(null, 204);
  });
  app.openapi(changeRoleRoute, async (c) => {
    const { id } = c.req.valid("param");
    const row = await changeRole(c.get("services"), callerOf(c).userId, {
      userId: id,
      role: c.req.valid("json").role,
    });
    return c.json(publicUser(row), 200);
  });
}
