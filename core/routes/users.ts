import { createRoute, z } from "@hono/zod-openapi";
import { ADMINS, contract } from "../http/contract.ts";
import type { CoreApp } from "../app.ts";
import { changeRole, findByEmail, publicUser } from "../auth/accounts.ts";
import { pageQuery } from "../academics/pagination.ts";
import { errorResponses, jsonResponse, pageSchema } from "./common.ts";
import { callerOf } from "../auth/caller.ts";
import { normaliseEmail } from "../auth/password.ts";
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

const findRoute = createRoute({
  method: "get",
  path: "/v1/users",
  summary: "Look a user up by email (admins), e.g. to give them a role",
  ...contract({ access: ADMINS }),
  request: {
    query: z.object({
      email: z.string().trim().min(3).max(254).transform(normaliseEmail)
        .openapi({ example: "ada@uni.example" }),
      ...pageQuery,
    }),
  },
  responses: { 200: jsonResponse(pageSchema(UserSchema), "The matching user, if any"), ...errorResponses },
});

/** `PATCH /v1/users/:id/role`, `GET /v1/users?email=`. */
export function registerUserRoutes(app: CoreApp): void {
  app.openapi(findRoute, async (c) => {
    const row = await findByEmail(c.get("services"), c.req.valid("query").email);
    return c.json({ items: row ? [publicUser(row)] : [], nextCursor: null }, 200);
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
