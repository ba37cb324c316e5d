import type { MiddlewareHandler } from "hono";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import type { ServiceEnv } from "../../shared/http/service_app.ts";
import type { EdgeVariables } from "../services.ts";
import { policyFor } from "./policy.ts";
import { InvalidTokenError } from "./verify.ts";

const INVALID_TOKEN = { "WWW-Authenticate": 'Bearer error="invalid_token"' };

/** The token of an `Authorization: Bearer` header; undefined when there is none or it is malformed. */
export function bearerOf(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i);
  return match?.[1];
}

/**
 * Applies the route policy to `/api/v1/*`: public routes pass, others need a valid access token (401 with
 * `WWW-Authenticate` otherwise) and an allowed role (403). Sets the verified caller as `identity`.
 */
export function enforceRoutePolicy(): MiddlewareHandler<ServiceEnv<EdgeVariables>> {
  return async (c, next) => {
    const { verifyAccessToken } = c.get("services");
    const policy = policyFor(c.req.method, c.req.path);
    if (c.req.method === "OPTIONS" || policy?.access === "public") return await next();
    const token = bearerOf(c.req.header("authorization"));
    if (!token) {
      if (policy?.access === "optional") return await next();
      throw new AppError(ErrorCode.UNAUTHORIZED, "An access token is required", {
        headers: { "WWW-Authenticate": "Bearer" },
      });
    }
    try {
      c.set("identity", await verifyAccessToken(token));
    } catch (err) {
      if (!(err instanceof InvalidTokenError)) throw err;
      // Logout with a dead access token still ends the session its refresh cookie names.
      if (policy?.access === "optional") return await next();
      throw new AppError(ErrorCode.UNAUTHORIZED, err.message, { headers: INVALID_TOKEN });
    }
    const identity = c.get("identity")!;
    if (!policy) throw new AppError(ErrorCode.FORBIDDEN, "This route is not open to callers");
    if (policy.access !== "optional" && !policy.access.includes(identity.role)) {
      throw new AppError(ErrorCode.FORBIDDEN, "Your role may not do this");
    }
    if (identity.role === "ADMIN" && !identity.mfa && !policy.allowWithoutMfa) {
      throw new AppError(ErrorCode.FORBIDDEN, "Admins must enable two-factor authentication first");
    }
    await next();
  };
}
