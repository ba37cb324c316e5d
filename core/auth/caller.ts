import type { MiddlewareHandler } from "hono";
import { ASSERTION_HEADER, AssertionError, verifyAssertion } from "../../shared/assertion.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import type { Identity, Role } from "../../shared/identity.ts";
import { logContext } from "../../shared/logger.ts";
import type { ServiceEnv } from "../../shared/http/service_app.ts";
import type { CoreVariables } from "../services.ts";

type CoreEnvT = ServiceEnv<CoreVariables>;

/**
 * Protects core routes: the caller must come through the edge with a valid assertion bound to this method and
 * path. With `roles`, the caller's role must be one of them (403 otherwise).
 */
export function requireCaller(roles?: Role[]): MiddlewareHandler<CoreEnvT> {
  return async (c, next) => {
    const secret = c.get("services").env.EDGE_ASSERTION_SECRET;
    const token = c.req.header(ASSERTION_HEADER);
    if (!token || !secret) {
      throw new AppError(ErrorCode.UNAUTHORIZED, "This route needs a verified caller", {
        headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' },
      });
    }
    let caller: Identity;
    try {
      caller = await verifyAssertion(secret, token, { method: c.req.method, path: c.req.path });
    } catch (err) {
      if (err instanceof AssertionError) {
        throw new AppError(ErrorCode.UNAUTHORIZED, err.message, {
          headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' },
        });
      }
      throw err;
    }
    if (roles && !roles.includes(caller.role)) {
      throw new AppError(ErrorCode.FORBIDDEN, "Your role may not do this");
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
