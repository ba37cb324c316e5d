import { OpenAPIHono } from "@hono/zod-openapi";
import type { Env, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ErrorCode } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { ServiceMetrics } from "../metrics.ts";
import { errorHandler, errorResponse, notFoundHandler } from "./errors.ts";
import { rejectUnstorableText } from "./text_guard.ts";
import { type BaseVariables, requestContext } from "./request_context.ts";
import { sha256 } from "../crypto.ts";
import { withTimeout } from "../timeouts.ts";

/** A readiness check: resolves when the dependency answers, throws with the reason when not. */
export type ReadinessCheck = () => Promise<void>;

/** What every tier's app is built from. */
export interface ServiceAppOptions {
  service: string;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Adopt `X-Request-ID` from the caller (true behind a trusted proxy or the edge). */
  trustRequestId: boolean;
  /** Largest accepted request body in bytes. */
  bodyLimitBytes: number;
  /** Paths that enforce their own, larger limit while streaming (signed uploads); the body limit skips them. */
  bodyLimitExempt?: (path: string) => boolean;
  /** Named readiness checks run by `GET /readyz`. */
  readiness: Record<string, ReadinessCheck>;
  /** Per-check timeout for `/readyz`, in ms. */
  readinessTimeoutMs?: number;
  /** Middleware run before everything else (the edge's CORS and secure headers), so every response carries it. */
  early?: MiddlewareHandler[];
  /**
   * Refuse (400) NUL characters and lone surrogates in path, query and JSON or text bodies before any route runs
   * (tiers that store what they receive). Paths in `bodyLimitExempt` are streamed: their bodies are not read.
   */
  rejectUnstorableText?: boolean;
  /**
   * Who may read `/metrics`: everyone (`open`, the default: internal tiers on loopback or a private network),
   * holders of a bearer token, or nobody (`off`: 404, for a client-facing tier without a configured token).
   */
  metricsAccess?: "open" | "off" | { token: string };
}

/** Compares a presented bearer token with the configured one without leaking where they differ. */
async function sameToken(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(presented), sha256(expected)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Hono env of every tier: base variables plus the tier's own. */
export type ServiceEnv<V extends object = object> = Env & { Variables: BaseVariables & V };

/**
 * Builds the Hono app every tier starts from: request id, access log and metrics, body limit, one error shape
 * (validation, 404, 405, 413, 500), `/healthz`, `/readyz` and `/metrics`. Tiers add their routes to what this returns.
 */
export function createServiceApp<V extends object = object>(
  options: ServiceAppOptions,
): OpenAPIHono<ServiceEnv<V>> {
  const app = new OpenAPIHono<ServiceEnv<V>>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const details = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
        const where = result.target === "json" ? "body" : result.target;
        return errorResponse(c, ErrorCode.VALIDATION_FAILED, `Invalid request ${where}`, { details });
      }
    },
  });
  for (const middleware of options.early ?? []) app.use("*", middleware);
  app.use("*", requestContext(options));
  const limitBody = bodyLimit({
    maxSize: options.bodyLimitBytes,
    onError: (c) =>
      errorResponse(
        c,
        ErrorCode.PAYLOAD_TOO_LARGE,
        `Request body is larger than ${options.bodyLimitBytes} bytes`,
      ),
  });
  app.use("*", (c, next) => options.bodyLimitExempt?.(c.req.path) ? next() : limitBody(c, next));
  if (options.rejectUnstorableText) {
    app.use("*", rejectUnstorableText({ skipBody: options.bodyLimitExempt }));
  }
  app.onError(errorHandler(options.logger));
  app.notFound(notFoundHandler(app));

  app.get("/healthz", (c) => c.json({ status: "ok", service: options.service }));
  app.get("/readyz", async (c) => {
    const timeout = options.readinessTimeoutMs ?? 2000;
    const results = await Promise.all(
      Object.entries(options.readiness).map(async ([name, check]) => {
        try {
          await withTimeout(check(), timeout, `${name} did not answer within ${timeout} ms`);
          return [name, { ok: true }] as const;
        } catch (err) {
          return [name, { ok: false, reason: err instanceof Error ? err.message : String(err) }] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    const failed = results.filter(([, r]) => !r.ok);
    if (failed.length > 0) {
      options.logger.warn("not ready", { checks });
      return errorResponse(
        c,
        ErrorCode.UNAVAILABLE,
        `Not ready: ${failed.map(([n, r]) => `${n} (${"reason" in r ? r.reason : ""})`).join("; ")}`,
        { details: checks },
      );
    }
    return c.json({ status: "ready", service: options.service, checks });
  });
  const metricsAccess = options.metricsAccess ?? "open";
  app.get("/metrics", async (c) => {
    if (metricsAccess === "off") {
      return errorResponse(c, ErrorCode.NOT_FOUND, `No route for ${c.req.method} ${c.req.path}`);
    }
    if (metricsAccess !== "open") {
      const presented = /^Bearer (.+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
      if (!presented || !(await sameToken(presented, metricsAccess.token))) {
        return errorResponse(c, ErrorCode.UNAUTHORIZED, "Metrics need the configured bearer token", {
          headers: { "WWW-Authenticate": 'Bearer realm="metrics"' },
        });
      }
    }
    const body = await options.metrics.registry.metrics();
    return c.body(body, 200, { "Content-Type": options.metrics.registry.contentType });
  });
  return app;
}
