import { trace } from "@opentelemetry/api";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { isValidRequestId, newId } from "../ids.ts";
import { logContext, type Logger } from "../logger.ts";
import type { ServiceMetrics } from "../metrics.ts";
import { applyResponseHeaders, setResponseHeader } from "./response_headers.ts";

/** Variables every tier puts on the Hono context. */
export interface BaseVariables {
  requestId: string;
  logger: Logger;
}

/**
 * Adopts `X-Request-ID` from a trusted upstream (or makes one), returns it on the response, runs the request inside
 * the log context, writes one access-log line and records the request in metrics by route template. With Deno's
 * OpenTelemetry on (`OTEL_DENO=true`), the request's server span gets the request id and route; with it off there is
 * no active span and nothing happens.
 */
export function requestContext(
  options: { logger: Logger; metrics: ServiceMetrics; trustRequestId: boolean },
): MiddlewareHandler<{ Variables: BaseVariables }> {
  return async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const requestId = options.trustRequestId && isValidRequestId(incoming) ? incoming : newId();
    c.set("requestId", requestId);
    c.set("logger", options.logger);
    setResponseHeader(c, "X-Request-ID", requestId);
    const span = trace.getActiveSpan();
    span?.setAttribute("request.id", requestId);
    const started = performance.now();
    await logContext.run({ requestId }, next);
    applyResponseHeaders(c);
    const seconds = (performance.now() - started) / 1000;
    const route = matchedRoute(c);
    const status = String(c.res.status);
    if (span) {
      span.setAttribute("http.route", route);
      span.updateName(`${c.req.method} ${route}`);
    }
    options.metrics.httpRequests.inc({ method: c.req.method, route, status });
    options.metrics.httpDuration.observe({ method: c.req.method, route, status }, seconds);
    if (route === "/healthz" || route === "/metrics" || !options.logger.enabled("info")) return;
    logContext.run({ requestId }, () =>
      options.logger.info("request", {
        method: c.req.method,
        path: c.req.path,
        route,
        status: c.res.status,
        durationMs: Math.round(seconds * 100000) / 100,
      }));
  };
}

// deno-lint-ignore no-explicit-any
function matchedRoute(c: any): string {
  try {
    // After the chain ran, the route index points at the last handler that executed.
    const path = routePath(c);
    return path === "/*" || path === "*" ? "unmatched" : path;
  } catch {
    return "unmatched";
  }
}
