import { eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { users } from "../../shared/db/schema/users.ts";
import { ASSERTION_HEADER, AssertionError, verifyAssertion } from "../../shared/assertion.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import type { Identity, Role } from "../../shared/identity.ts";
import { logContext } from "../../shared/logger.ts";
import type { ServiceEnv } from "../../shared/http/service_app.ts";
import type { CoreVariables } from "../services.ts";

type CoreEnvT = ServiceEnv<CoreVariables>;

const INVALID_TOKEN = { "WWW-Authenticate": 'Bearer error="invalid_token"' };

/** What a protected route allows beyond its roles. */
export interface CallerOptions {
  /** Let an admin who has not passed 2FA in (only the 2FA enrolment routes and reading one's own account). */
  allowWithoutMfa?: boolean;
  /** Let callers without an assertion through (as anonymous); a present but invalid assertion is still refused. */
  optional?: boolean;
}

async function callerFrom(c: Parameters<MiddlewareHandler<CoreEnvT>>[0]): Promise<Identity | undefined> {
  const secret = c.get("services").env.EDGE_ASSERTION_SECRET;
  const token = c.req.header(ASSERTION_HEADER);
  if (!token) return undefined;
  if (!secret) {
    throw new AppError(ErrorCode.UNAUTHORIZED, "This route needs a verified caller", {
      headers: INVALID_TOKEN,
    });
  }
  try {
    return await verifyAssertion(secret, token, { method: c.req.method, path: c.req.path });
  } catch (err) {
    if (err instanceof AssertionError) {
      throw new AppError(ErrorCode.UNAUTHORIZED, err.message, { headers: INVALID_TOKEN });
    }
    throw err;
  }
}

/**
 * Core does not take the role in the token on trust: the account must still exist, be active and hold that role
 * (one primary-key read on the primary, so a replica's lag cannot bring a demoted role back). A token minted before a
 * role change or deactivation gets 401 `invalid_token`, so the client refreshes (and gets the current role) or signs
 * in again. The edge refuses such tokens first (per-user revocation time in the KV); this holds even when it cannot.
 */
async function assertAccountCurrent(
  c: Parameters<MiddlewareHandler<CoreEnvT>>[0],
  caller: Identity,
): Promise<void> {
  const [account] = await c.get("services").database.db
    .select({ role: users.role, deletedAt: users.deletedAt })
    .from(users).where(eq(users.id, caller.userId)).limit(1);
  if (!account || account.deletedAt) {
    throw new AppError(ErrorCode.UNAUTHORIZED, "This account is no longer active", {
      headers: INVALID_TOKEN,
    });
  }
  if (account.role !== caller.role) {
    throw new AppError(ErrorCode.UNAUTHORIZED, "Your role has changed; sign in again", {
      headers: INVALID_TOKEN,
    });
  }
}

/**
 * Protects core routes: the caller must come through the edge with a valid assertion bound to this method and
 * path. With `roles`, the caller's role must be one of them (403 otherwise). An admin whose session has not passed
 * 2FA (`mfa: false`) is refused unless the route says otherwise.
 */
export function requireCaller(roles?: Role[], options: CallerOptions = {}): MiddlewareHandler<CoreEnvT> {
  return async (c, next) => {
    const caller = await callerFrom(c);
    if (!caller) {
      if (options.optional) return await next();
      throw new AppError(ErrorCode.UNAUTHORIZED, "This route needs a verified caller", {
        headers: INVALID_TOKEN,
      });
    }
    await assertAccountCurrent(c, caller);
    if (roles && !roles.includes(caller.role)) {
      throw new AppError(ErrorCode.FORBIDDEN, "Your role may not do this");
    }
    // `mfa` absent means an assertion made without an access token (tools, tests): only an explicit false refuses.
    if (caller.role === "ADMIN" && caller.mfa === false && !options.allowWithoutMfa) {
      throw new AppError(ErrorCode.FORBIDDEN, "Admins must enable two-factor authentication first");
    }
    c.set("caller", caller);
    const ctx = logContext.getStore();
    if (ctx) ctx.userId = caller.userId;
    await next();
  };
}

/** The verified caller of a route behind `requireCaller`. */
export function callerOf(c: { get(key: "caller"): Identity | undefined }): Identity {
  const caller = c.get("caller");
  if (!caller) throw new AppError(ErrorCode.UNAUTHORIZED, "This route needs a verified caller");
  return caller;
}
