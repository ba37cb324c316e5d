import { createRoute, z } from "@hono/zod-openapi";
import { contract, SIGNED_IN } from "../http/contract.ts";
import type { CoreApp } from "../services.ts";
import { changePassword, publicUser, registerAccount, tokenConfig } from "../auth/accounts.ts";
import { queueVerificationMail } from "../accounts/verification.ts";
import { UserSchema } from "../auth/http.ts";
import { googleSignIn, login } from "../auth/sign_in.ts";
import { callerOf } from "../auth/caller.ts";
import {
  clearRefreshCookie,
  clientIpOf,
  refreshTokenInBody,
  refreshTokenOf,
  tokenResponse,
  TokenResponseSchema,
} from "../auth/http.ts";
import { issueTokenPair, revokeAccessToken, revokeFamilyOf, rotateRefreshToken } from "../auth/tokens.ts";
import { revocationRetainMs } from "../auth/revocation.ts";
import { recordAudit } from "../../shared/audit/audit.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import { upstreamErrorResponses } from "./common.ts";

const json = <T extends z.ZodType>(schema: T) => ({
  content: { "application/json": { schema } },
  required: true,
});
const tokens = (description: string) => ({
  description,
  content: { "application/json": { schema: TokenResponseSchema } },
});
const email = z.string().trim().min(3).max(254).pipe(z.email());

const registerRoute = createRoute({
  method: "post",
  path: "/v1/auth/register",
  // The new account is the caller's own: with the answer's token it is read at /api/v1/me.
  ...contract({ access: "public", rateLimit: "login", created: "/api/v1/me" }),
  summary: "Create a student account with a password and sign in",
  request: {
    body: json(
      z.object({
        email,
        password: z.string().min(1).max(256),
        displayName: z.string().trim().min(1).max(100).optional(),
        refreshTokenInBody,
      }).openapi({
        example: { email: "student@uni.example", password: "a long passphrase", displayName: "Ada Student" },
      }),
    ),
  },
  responses: {
    201: tokens("Account created and signed in (a verification link is mailed)"),
    202: {
      description:
        "Account created; EMAIL_VERIFICATION=required, so sign in after confirming the mailed link",
      content: {
        "application/json": {
          schema: z.object({ verificationRequired: z.literal(true), user: UserSchema }),
        },
      },
    },
  },
});

const loginRoute = createRoute({
  method: "post",
  path: "/v1/auth/login",
  ...contract({ access: "public", rateLimit: "login" }),
  summary: "Sign in with email and password (and a TOTP code when 2FA is on)",
  request: {
    body: json(
      z.object({
        email: z.string().max(254),
        password: z.string().min(1).max(256),
        totpCode: z.string().max(10).optional(),
        /** A refresh token this device holds for the account (clients without cookies): exempts it from slow-down. */
        refreshToken: z.string().max(200).optional(),
        refreshTokenInBody,
      }).openapi({ example: { email: "student@uni.example", password: "a long passphrase" } }),
    ),
  },
  responses: { 200: tokens("Signed in") },
});

const refreshRoute = createRoute({
  method: "post",
  path: "/v1/auth/refresh",
  ...contract({ access: "public" }),
  summary: "Exchange a refresh token (cookie or body) for new tokens; the old one stops working",
  security: [{ refreshCookie: [] }, {}],
  request: {
    body: {
      content: {
        "application/json": {
          schema: z.object({ refreshToken: z.string().max(200).optional(), refreshTokenInBody }),
        },
      },
      required: false,
    },
  },
  responses: { 200: tokens("New tokens") },
});

const logoutRoute = createRoute({
  method: "post",
  path: "/v1/auth/logout",
  summary: "End the session: revoke its refresh tokens and the presented access token",
  ...contract({ access: "optional", allowWithoutMfa: true }),
  request: {
    body: {
      content: { "application/json": { schema: z.object({ refreshToken: z.string().max(200).optional() }) } },
      required: false,
    },
  },
  responses: { 204: { description: "Signed out" } },
});

const googleRoute = createRoute({
  method: "post",
  path: "/v1/auth/google",
  ...contract({ access: "public", rateLimit: "login" }),
  summary: "Sign in with a Google ID token (links by verified email or creates a student)",
  request: { body: json(z.object({ idToken: z.string().min(10).max(8192), refreshTokenInBody })) },
  // 503 when Google sign-in is not configured; 502/504 when Google's keys cannot be fetched.
  responses: { 200: tokens("Signed in"), ...upstreamErrorResponses },
});

const passwordRoute = createRoute({
  method: "post",
  path: "/v1/auth/password",
  summary: "Change one's password; every session is signed out and the caller gets new tokens",
  ...contract({ access: SIGNED_IN }),
  request: {
    body: json(z.object({
      currentPassword: z.string().max(256).optional(),
      newPassword: z.string().min(1).max(256),
      refreshTokenInBody,
    })),
  },
  responses: { 200: tokens("Password changed; a new session") },
});

/** `POST /v1/auth/register|login|refresh|logout|google|password`. */
export function registerAuthRoutes(app: CoreApp): void {
  app.openapi(registerRoute, async (c) => {
    const input = c.req.valid("json");
    const services = c.get("services");
    const user = await registerAccount(services, input);
    await services.database.db.transaction((tx) => queueVerificationMail(services, tx, user));
    if (services.env.EMAIL_VERIFICATION === "required") {
      return c.json({ verificationRequired: true as const, user: publicUser(user) }, 202);
    }
    const pair = await issueTokenPair(services.database.db, tokenConfig(services), {
      userId: user.id,
      role: user.role,
      mfa: false,
    });
    return c.json(tokenResponse(c, pair, { inBody: input.refreshTokenInBody, user }), 201);
  });

  app.openapi(loginRoute, async (c) => {
    const input = c.req.valid("json");
    // A refresh token (the cookie, sent to /auth/*, or a non-browser client's) marks a device that signed in before.
    const { user, tokens } = await login(c.get("services"), {
      ...input,
      ip: clientIpOf(c),
      refreshToken: refreshTokenOf(c, input.refreshToken),
    });
    return c.json(tokenResponse(c, tokens, { inBody: input.refreshTokenInBody, user }), 200);
  });

  app.openapi(refreshRoute, async (c) => {
    const input = await c.req.json().catch(() => ({})) as {
      refreshToken?: string;
      refreshTokenInBody?: boolean;
    };
    const services = c.get("services");
    const token = refreshTokenOf(c, typeof input.refreshToken === "string" ? input.refreshToken : undefined);
    if (!token) throw new AppError(ErrorCode.UNAUTHORIZED, "No refresh token was sent");
    const outcome = await rotateRefreshToken(services.database.db, tokenConfig(services), token);
    if (!outcome.ok) {
      if (outcome.reused) {
        await recordAudit(services.database.db, services.logger, "core", {
          action: "auth.refresh_reuse",
          userId: outcome.reused.userId,
          target: `session:${outcome.reused.familyId}`,
        });
      }
      clearRefreshCookie(c);
      throw new AppError(ErrorCode.UNAUTHORIZED, "The refresh token is not valid; sign in again");
    }
    return c.json(tokenResponse(c, outcome.pair, { inBody: input.refreshTokenInBody === true }), 200);
  });

  app.openapi(logoutRoute, async (c) => {
    const input = await c.req.json().catch(() => ({})) as { refreshToken?: string };
    const services = c.get("services");
    const caller = c.get("caller");
    if (caller?.jti && caller.exp) {
      await revokeAccessToken(services.kv, caller.jti, caller.exp, {
        retainMs: revocationRetainMs(services),
      });
    }
    const token = refreshTokenOf(c, typeof input.refreshToken === "string" ? input.refreshToken : undefined);
    const owner = token ? await revokeFamilyOf(services.database.db, token) : null;
    clearRefreshCookie(c);
    const userId = caller?.userId ?? owner;
    if (userId) {
      await recordAudit(services.database.db, services.logger, "core", {
        action: "auth.logout",
        userId,
        target: `user:${userId}`,
      });
    }
    return c.body(null, 204);
  });

  app.openapi(googleRoute, async (c) => {
    const input = c.req.valid("json");
    const { user, tokens } = await googleSignIn(c.get("services"), input.idToken);
    return c.json(tokenResponse(c, tokens, { inBody: input.refreshTokenInBody, user }), 200);
  });

  app.openapi(passwordRoute, async (c) => {
    const input = c.req.valid("json");
    const pair = await changePassword(c.get("services"), callerOf(c), input);
    return c.json(tokenResponse(c, pair, { inBody: input.refreshTokenInBody }), 200);
  });
}
