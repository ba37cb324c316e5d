import { type Span, trace } from "@opentelemetry/api";
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
    const requestId = requestIdFor(c.req.header("x-request-id"), options.trustRequestId);
    c.set("requestId", requestId);
    c.set("logger", options.logger);
    setResponseHeader(c, "X-Request-ID", requestId);
    const span = trace.getActiveSpan();
    span?.setAttribute("request.id", requestId);
    const started = performance.now();
    await logContext.run({ requestId }, next);
    applyResponseHeaders(c);
    recordRequest(options, {
      method: c.req.method,
      path: c.req.path,
      route: matchedRoute(c),
      status: c.res.status,
      requestId,
      started,
      span,
    });
  };
}

/** The request id a request gets: the caller's when trusted and well-formed, else a new one. */
export function requestIdFor(incoming: string | null | undefined, trusted: boolean): string {
  return trusted && isValidRequestId(incoming) ? incoming : newId();
}

/** A finished request as `recordRequest` records it. */
export interface FinishedRequest {
  method: string;
  path: string;
  /** Route template (`unmatched` when none). */
  route: string;
  status: number;
  requestId: string;
  /** `performance.now()` when the request started. */
  started: number;
  span: Span | undefined;
}

/**
 * What every finished request leaves behind: its route on the OpenTelemetry span, the two HTTP metrics and the
 * access-log line (except for `/healthz` and `/metrics`). Shared by the middleware and the edge's fast path.
 */
export function recordRequest(
  options: { logger: Logger; metrics: ServiceMetrics },
  request: FinishedRequest,
): void {
  const { method, route, span } = request;
  const seconds = (performance.now() - request.started) / 1000;
  const status = String(request.status);
  if (span) {
    span.setAttribute("http.route", route);
    span.updateName(`${method} ${route}`);
  }
  options.metrics.httpRequests.inc({ method, route, status });
  options.metrics.httpDuration.observe({ method, route, status }, seconds);
  if (route === "/healthz" || route === "/metrics" || !options.logger.enabled("info")) return;
  // The request id as a field, where the log context would put it (entering an async-local context for one line
  // cost about as much as writing it, on the edge's cached answer).
  options.logger.info("request", {
    requestId: request.requestId,
    method,
    path: request.path,
    route,
    status: request.status,
    durationMs: Math.round(seconds * 100000) / 100,
  });
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
