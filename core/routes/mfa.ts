import { createRoute, z } from "@hono/zod-openapi";
import { contract, SIGNED_IN } from "../http/contract.ts";
import type { CoreApp } from "../services.ts";
import { callerOf } from "../auth/caller.ts";
import { refreshTokenInBody, refreshTokenOf, tokenResponse, TokenResponseSchema } from "../auth/http.ts";
import { confirmTotpEnrolment, disableTotp, startTotpEnrolment } from "../auth/mfa.ts";

// Both routes are open to an admin without 2FA: enrolling is the one thing such an admin may do.
const enrolRoute = createRoute({
  method: "post",
  path: "/v1/auth/2fa/enrol",
  summary: "Start TOTP enrolment: returns a new secret and its otpauth:// URI",
  ...contract({ access: SIGNED_IN, allowWithoutMfa: true }),
  responses: {
    200: {
      description: "Pending secret",
      content: { "application/json": { schema: z.object({ secret: z.string(), otpauthUri: z.string() }) } },
    },
  },
});

const verifyRoute = createRoute({
  method: "post",
  path: "/v1/auth/2fa/verify",
  summary: "Finish enrolment with a first code; returns tokens for a session that passed 2FA",
  ...contract({ access: SIGNED_IN, allowWithoutMfa: true }),
  request: {
    body: {
      content: {
        "application/json": { schema: z.object({ code: z.string().regex(/^\d{6}$/), refreshTokenInBody }) },
      },
      required: true,
    },
  },
  responses: {
    200: { description: "2FA enabled", content: { "application/json": { schema: TokenResponseSchema } } },
  },
});

const disableRoute = createRoute({
  method: "post",
  path: "/v1/auth/2fa/disable",
  summary: "Turn two-factor sign-in off with a current code (not for administrators, who must keep it)",
  ...contract({ access: SIGNED_IN }),
  request: {
    body: {
      content: { "application/json": { schema: z.object({ code: z.string().regex(/^\d{6}$/) }) } },
      required: true,
    },
  },
  responses: { 204: { description: "2FA disabled" } },
});

/** `POST /v1/auth/2fa/enrol`, `POST /v1/auth/2fa/verify`, `POST /v1/auth/2fa/disable`. */
export function registerMfaRoutes(app: CoreApp): void {
  app.openapi(enrolRoute, async (c) => {
    const result = await startTotpEnrolment(c.get("services"), callerOf(c).userId);
    c.header("Cache-Control", "no-store");
    return c.json(result, 200);
  });
  app.openapi(verifyRoute, async (c) => {
    const input = c.req.valid("json");
    const pair = await confirmTotpEnrolment(c.get("services"), callerOf(c).userId, {
      code: input.code,
      refreshToken: refreshTokenOf(c),
    });
    return c.json(tokenResponse(c, pair, { inBody: input.refreshTokenInBody }), 200);
  });
  app.openapi(disableRoute, async (c) => {
    await disableTotp(c.get("services"), callerOf(c).userId, c.req.valid("json").code);
    return c.body(null, 204);
  });
}
