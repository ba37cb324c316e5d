import { createRoute, z } from "@hono/zod-openapi";
import { ADMINS, contract } from "../http/contract.ts";
import type { CoreApp } from "../app.ts";
import { changeRole, publicUser } from "../auth/accounts.ts";
import { callerOf } from "../auth/caller.ts";
import { UserSchema } from "../auth/http.ts";
import { Role } from "../../shared/identity.ts";

const changeRoleRoute = createRoute({
  method: "patch",
  path: "/v1/users/{id}/role",
  summary: "Change a user's role (admins only, audited)",
  ...contract({ access: ADMINS }),
  request: {
    params: z.object({ id: z.uuid() }),
    body: { content: { "application/json": { schema: z.object({ role: Role }) } }, required: true },
  },
  responses: {
    200: { description: "The updated user", content: { "application/json": { schema: UserSchema } } },
  },
});

/** `PATCH /v1/users/:id/role`. */
export function registerUserRoutes(app: CoreApp): void {
  app.openapi(changeRoleRoute, async (c) => {
    const { id } = c.req.valid("param");
    const row = await changeRole(c.get("services"), callerOf(c).userId, {
      userId: id,
      role: c.req.valid("json").role,
    });
    return c.json(publicUser(row), 200);
  });
}
