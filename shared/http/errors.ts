import type { Context, ErrorHandler, Hono, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { TrieRouter } from "hono/router/trie-router";
import { AppError, codeForStatus, errorBody, ErrorCode, statusFor } from "../errors.ts";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "../db/unavailable.ts";
import type { Logger } from "../logger.ts";

/** The request id of the current request, or "-" before the request-context middleware ran. */
function requestIdOf(c: Context): string {
  return (c.get("requestId" as never) as string | undefined) ?? "-";
}

/** Writes an error in the one shape. */
export function errorResponse(
  c: Context,
  code: ErrorCode,
  message: string,
  options: { details?: unknown; headers?: Record<string, string> } = {},
): Response {
  const res = c.json(errorBody(code, message, requestIdOf(c), options.details), statusFor(code) as 400);
  for (const [k, v] of Object.entries(options.headers ?? {})) res.headers.set(k, v);
  return res;
}

/**
 * `onError`: the project's own errors, Hono's HTTPException, the database being unreachable (503 with `Retry-After`:
 * the request may succeed later), and anything else (logged, 500, no internals).
 */
export function errorHandler(logger: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof AppError) {
      if (err.status >= 500) logger.error("request failed", { code: err.code, err });
      return errorResponse(c, err.code, err.message, { details: err.details, headers: err.headers });
    }
    if (err instanceof HTTPException) {
      const code = codeForStatus(err.status);
      const message = err.status === 413 ? "Request body is too large" : err.message || "Request failed";
      const headers: Record<string, string> = {};
      err.res?.headers.forEach((v, k) => {
        if (k.toLowerCase() === "www-authenticate") headers[k] = v;
      });
      return errorResponse(c, code, message, { headers });
    }
    if (isDatabaseUnavailable(err)) {
      logger.warn("database unavailable", { err: describe(err) });
      return errorResponse(c, ErrorCode.UNAVAILABLE, "The database is unavailable; try again shortly", {
        headers: { "Retry-After": String(DATABASE_RETRY_AFTER_SECONDS) },
      });
    }
    logger.error("unhandled error", { err });
    return errorResponse(c, ErrorCode.INTERNAL, "Something went wrong on our side");
  };
}

/** The innermost error's code and message: enough to tell which connection failed, without the failed query's text. */
function describe(err: unknown): { code?: unknown; message?: unknown } {
  let e = err as { code?: unknown; message?: unknown; cause?: unknown };
  while (e?.cause && typeof e.cause === "object") e = e.cause as typeof e;
  return { code: e?.code, message: e?.message };
}

/** `notFound`: 405 with `Allow` when the path exists under other methods, else 404, both in the one shape. */
// deno-lint-ignore no-explicit-any
export function notFoundHandler(app: Hono<any, any, any>): NotFoundHandler {
  let router: TrieRouter<string> | undefined;
  let built = 0;
  return (c) => {
    if (!router || built !== app.routes.length) {
      router = new TrieRouter<string>();
      for (const r of app.routes) {
        if (r.method !== "ALL") router.add(r.method, r.path, r.method);
      }
      built = app.routes.length;
    }
    const allowed = new Set<string>();
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
      if (method === c.req.method) continue;
      const [matches] = router.match(method, c.req.path);
      if (matches.length > 0) allowed.add(method);
    }
    if (allowed.size > 0) {
      return errorResponse(c, ErrorCode.METHOD_NOT_ALLOWED, `Method ${c.req.method} is not allowed here`, {
        headers: { Allow: [...allowed].join(", ") },
      });
    }
    return errorResponse(c, ErrorCode.NOT_FOUND, `No route for ${c.req.method} ${c.req.path}`);
  };
}
