import { createRoute, z } from "@hono/zod-openapi";
import { contract, SIGNED_IN } from "../http/contract.ts";
import type { CoreApp } from "../services.ts";
import { findUser, publicUser, updateProfile } from "../auth/accounts.ts";
import { callerOf } from "../auth/caller.ts";
import { UserSchema } from "../auth/http.ts";

const user = { description: "The caller's account", content: { "application/json": { schema: UserSchema } } };

const getMeRoute = createRoute({
  method: "get",
  path: "/v1/me",
  summary: "The caller's account",
  // An admin who still has to enrol 2FA may read their account (the client learns `mfaEnabled` here).
  ...contract({ access: SIGNED_IN, allowWithoutMfa: true }),
  responses: { 200: user },
});

const patchMeRoute = createRoute({
  method: "patch",
  path: "/v1/me",
  summary: "Update the caller's profile",
  ...contract({ access: SIGNED_IN }),
  request: {
    body: {
      content: {
        "application/json": {
          schema: z.object({ displayName: z.string().trim().min(1).max(100).nullable().optional() }).strict(),
        },
      },
      required: true,
    },
  },
  responses: { 200: user },
});

/** `GET /v1/me`, `PATCH /v1/me`. */
export function registerMeRoutes(app: CoreApp): void {
  app.openapi(getMeRoute, async (c) => {
    const row = await findUser(c.get("services"), callerOf(c).userId);
    return c.json(publicUser(row), 200);
  });
  app.openapi(patchMeRoute, async (c) => {
    const row = await updateProfile(c.get("services"), callerOf(c).userId, c.req.valid("json"));
    return c.json(publicUser(row), 200);
  });
}
