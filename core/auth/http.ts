/** HTTP glue shared by the identity routes: the refresh cookie and the token response. */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { ServiceEnv } from "../../shared/http/service_app.ts";
import type { CoreVariables } from "../services.ts";

// deno-lint-ignore no-explicit-any
type CoreContext = Context<ServiceEnv<CoreVariables>, any, any>;
import { type PublicUser, publicUser } from "./accounts.ts";
import type { TokenPair } from "./tokens.ts";
import type { users } from "../../shared/db/schema/users.ts";

/** Name of the refresh-token cookie. */
export const REFRESH_COOKIE = "refresh_token";

/** The user as the API shows it. */
export const UserSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(["ADMIN", "ACADEMIC", "STUDENT"]),
  displayName: z.string().nullable(),
  emailVerified: z.boolean(),
  mfaEnabled: z.boolean(),
  createdAt: z.string(),
}).openapi("User");

/** What sign-in, refresh and 2FA confirmation answer with. */
export const TokenResponseSchema = z.object({
  tokenType: z.literal("Bearer"),
  accessToken: z.string(),
  expiresIn: z.number().int(),
  /** Only when the request asked for it (`refreshTokenInBody: true`); browsers use the cookie. */
  refreshToken: z.string().optional(),
  user: UserSchema.optional(),
}).openapi("TokenResponse");

/** Request field asking for the refresh token in the body (non-browser clients). */
export const refreshTokenInBody = z.boolean().optional()
  .openapi({ description: "Also return the refresh token in the body (for clients without cookies)" });

/** Sets the refresh cookie and builds the token response body. */
export function tokenResponse(
  c: CoreContext,
  pair: TokenPair,
  options: { inBody?: boolean; user?: typeof users.$inferSelect } = {},
): z.infer<typeof TokenResponseSchema> {
  const env = c.get("services").env;
  setCookie(c, REFRESH_COOKIE, pair.refreshToken, {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: env.REFRESH_COOKIE_PATH,
    maxAge: env.REFRESH_TOKEN_TTL_SECONDS,
  });
  c.header("Cache-Control", "no-store");
  return {
    tokenType: "Bearer",
    accessToken: pair.accessToken,
    expiresIn: pair.expiresIn,
    ...(options.inBody ? { refreshToken: pair.refreshToken } : {}),
    ...(options.user ? { user: publicUser(options.user) as PublicUser } : {}),
  };
}

/** The refresh token from the body (non-browser clients) or the cookie. */
export function refreshTokenOf(c: Context, fromBody?: string): string | undefined {
  return fromBody ?? getCookie(c, REFRESH_COOKIE);
}

/** Clears the refresh cookie. */
export function clearRefreshCookie(c: CoreContext): void {
  deleteCookie(c, REFRESH_COOKIE, { path: c.get("services").env.REFRESH_COOKIE_PATH, secure: true });
}

/**
 * The client's address: from the edge's verified assertion, else the TCP peer's address (set by
 * `verifyEdgeAssertion`). Never `X-Forwarded-For`, which anyone reaching core directly could set.
 */
export function clientIpOf(c: CoreContext): string {
  return c.get("clientIp") ?? "unknown";
}
