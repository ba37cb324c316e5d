import type { OpenAPIHono } from "@hono/zod-openapi";
import { createServiceApp, type ServiceEnv } from "../shared/http/service_app.ts";
import { type AssertedRequest, ASSERTION_HEADER, signAssertion } from "../shared/assertion.ts";
import { AppError, ErrorCode } from "../shared/errors.ts";
import { enforceRoutePolicy } from "./auth/middleware.ts";
import { edgeCache } from "./cache/middleware.ts";
import { OPENAPI_PATH, registerApiDocs, serveOpenApiDocument } from "./api_docs.ts";
import { fastCachedAnswer } from "./fast_hit.ts";
import { forwardToCore } from "./forward.ts";
import { ipRateLimit, routeRateLimit } from "./ratelimit/middleware.ts";
import { edgeResponseHeaders } from "./security_headers.ts";
import type { EdgeServices, EdgeVariables } from "./services.ts";
import { serveWebApp } from "./web/static.ts";

/** The edge tier's Hono app type. */
export type EdgeApp = OpenAPIHono<ServiceEnv<EdgeVariables>>;

/**
 * Client address: behind a trusted proxy, the last `X-Forwarded-For` hop, the address that proxy itself saw (the
 * hops before it are whatever the client sent, so taking the first would let anyone pick the address its rate
 * limits count against); else the socket's address.
 */
function clientIpOf(req: Request, trustProxy: boolean, remote?: string): string {
  if (trustProxy) {
    const last = req.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (last) return last;
  }
  return remote ?? "unknown";
}

/** Whether a path is a signed document upload: streamed to core, exempt from the edge's body limit. */
export function isStreamedUpload(path: string): boolean {
  return path.startsWith("/api/v1/uploads/");
}

/** Builds the edge app: stateless, forwards `/api/v1/*` to core `/v1/*`. No I/O happens here. */
export function createEdgeApp(services: EdgeServices): EdgeApp {
  const { env } = services;
  const app = createServiceApp<EdgeVariables>({
    service: "edge",
    logger: services.logger,
    metrics: services.metrics,
    trustRequestId: env.TRUST_PROXY,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    // Signed uploads stream through to core, which enforces the size the URL was signed for.
    bodyLimitExempt: isStreamedUpload,
    // The edge's port faces clients: metrics only for the holder of METRICS_TOKEN, else not served.
    metricsAccess: env.METRICS_TOKEN ? { token: env.METRICS_TOKEN } : "off",
    // Secure headers (a locked-down CSP: an API serves no documents) and CORS for the configured origins.
    early: [edgeResponseHeaders(env.CORS_ORIGINS)],
    readiness: {
      // Redis is not a readiness dependency: without it the edge falls back (in-process limits, no cache).
      core: async () => {
        const res = await services.fetch(new URL("/healthz", env.CORE_URL));
        await res.body?.cancel();
        if (!res.ok) throw new Error(`core answered ${res.status}`);
      },
    },
  });
  app.use("*", async (c, next) => {
    c.set("services", services);
    // deno-lint-ignore no-explicit-any
    const info = (c.env as any)?.remoteAddr as Deno.NetAddr | undefined;
    c.set("clientIp", clientIpOf(c.req.raw, env.TRUST_PROXY, info?.hostname));
    await next();
  });

  // Abuse and repeated work stop here, in this order: per-IP limit (cheap, before token checks), token check and
  // route policy (sets `identity`), per-user route-class limits, then the edge cache.
  app.use("/api/v1/*", ipRateLimit());
  app.use("/api/v1/*", enforceRoutePolicy());
  app.use("/api/v1/*", routeRateLimit());
  app.use("/api/v1/*", edgeCache());

  // The API's own description, answered here (a public route of the policy table), and its reference page.
  app.get(OPENAPI_PATH, serveOpenApiDocument);
  registerApiDocs(app);

  app.all("/api/v1/*", (c) => {
    const path = c.req.path.slice("/api".length);
    const identity = c.get("identity");
    const secret = env.EDGE_ASSERTION_SECRET;
    if (identity && !secret) {
      throw new AppError(ErrorCode.UNAVAILABLE, "The edge is not configured to forward signed-in calls");
    }
    const streamBody = isStreamedUpload(c.req.path);
    if (identity && streamBody) {
      // A streamed body cannot be bound to an assertion before it is sent; signed uploads need no identity.
      throw new AppError(ErrorCode.INTERNAL, "A streamed upload cannot carry a caller's identity");
    }
    // Every forwarded request carries an assertion (anonymous ones too: core takes the client address from it).
    const sign = secret
      ? async (request: AssertedRequest) => ({
        [ASSERTION_HEADER]: await signAssertion(secret, {
          ...request,
          identity,
          clientIp: c.get("clientIp"),
          requestId: c.get("requestId"),
        }),
      })
      : undefined;
    return forwardToCore(c, {
      coreUrl: env.CORE_URL,
      path,
      requestId: c.get("requestId"),
      clientIp: c.get("clientIp"),
      timeoutMs: env.CORE_TIMEOUT_MS,
      headers: c.get("forwardHeaders"),
      sign,
      fetch: services.fetch,
      streamBody,
    });
  });
  // The web app on the same origin; registered last so it never shadows the API or the operational endpoints.
  if (env.WEB_APP_ENABLED) app.use("*", serveWebApp({ distDir: env.WEB_DIST_DIR }));
  // Cached answers to signed-in GETs skip the chain, with the same checks (edge/fast_hit.ts); `app.request` goes
  // through `fetch` too, so tests see what clients see.
  const fast = fastCachedAnswer(services);
  const chain = app.fetch;
  app.fetch = (req, ...rest) => fast(req, () => chain(req, ...rest)) ?? chain(req, ...rest);
  return app;
}
