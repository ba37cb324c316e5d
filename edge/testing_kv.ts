/**
 * Edge test harness. Every edge test runs on both KV implementations (in-process, and Upstash through the REST
 * bridge to the machine's Redis). Core is replaced by an in-process upstream app per test: the core routes the edge
 * caches and limits (catalog, search, chat, login) are built by other features, so tests give the upstream exactly
 * the headers of the contract in docs/edge-cache.md.
 */
import assert from "node:assert/strict";
import { Hono, type MiddlewareHandler } from "hono";
import { parseEnv } from "../shared/env.ts";
import { createServiceApp, type ServiceEnv } from "../shared/http/service_app.ts";
import { Identity } from "../shared/identity.ts";
import type { KvStore } from "../shared/kv/interface.ts";
import { closedPortUrl, openTestKv, type TestKvKind, testKvKinds } from "../shared/kv/testing.ts";
import { UpstashKv } from "../shared/kv/upstash.ts";
import { memoryLogger } from "../shared/logger.ts";
import { createMetrics } from "../shared/metrics.ts";
import { createEdgeApp } from "./app.ts";
import { edgeCache } from "./cache/middleware.ts";
import { edgeEnvSchema } from "./env.ts";
import { forwardToCore } from "./forward.ts";
import { ipRateLimit, routeRateLimit } from "./ratelimit/middleware.ts";
import { createRateLimiter } from "./ratelimit/mod.ts";
import type { EdgeServices, EdgeVariables } from "./services.ts";
import { edgeMetricsOf } from "./metrics.ts";

/** What an edge test gets. */
export interface EdgeHarness {
  /** The edge app as `createEdgeApp` builds it (no identity: the token check is another feature's). */
  app: Hono<ServiceEnv<EdgeVariables>>;
  /**
   * The same chain with a test identity taken from `X-Test-User: <uuid>:<ROLE>` where token verification sits
   * (between the IP limit and the route limits), for per-user limits and scoped caching.
   */
  appWithIdentity: Hono<ServiceEnv<EdgeVariables>>;
  services: EdgeServices;
  kv: KvStore;
  kind: TestKvKind;
  /** Requests the upstream received, newest last. */
  upstreamCalls: Request[];
  /** Prometheus text of the edge's metrics. */
  metricsText(): Promise<string>;
}

/** Options of an edge test. */
export interface EdgeTestOptions {
  /** Edge env overrides (strings, as in the environment). */
  env?: Record<string, string>;
  /** Stand-in for core, reached at CORE_URL; a function gets the test's KV store (core shares it). */
  upstream?: Hono | ((kv: KvStore) => Hono);
  /** Point the Upstash store at a closed port (Redis down); the memory run is unchanged. */
  redisDown?: boolean;
}

/** Registers one test per KV implementation. */
export function edgeTest(
  name: string,
  options: EdgeTestOptions,
  fn: (h: EdgeHarness) => Promise<void>,
): void {
  for (const kind of testKvKinds) {
    Deno.test(`${name} [${kind}]`, async () => {
      const test = await openTestKv(kind);
      let kv: KvStore = test.kv;
      if (kind === "upstash" && options.redisDown) {
        kv = new UpstashKv({ url: await closedPortUrl(), token: "t" });
      }
      try {
        const harness = edgeHarness(kind, kv, options);
        await fn(harness);
        if (kind === "upstash" && !options.redisDown) {
          // A silent fallback would make the Upstash run test the in-process code: it must not have happened.
          const fallbacks = await edgeMetricsOf(harness.services.metrics).kvFallback.get();
          assert.equal(fallbacks.values.reduce((n, v) => n + v.value, 0), 0, "the Upstash run fell back");
        }
      } finally {
        await test.close();
      }
    });
  }
}

/** An edge (both apps) on a given KV store; `edgeTest` makes one per run, tests needing two edges call this. */
export function edgeHarness(kind: TestKvKind, kv: KvStore, options: EdgeTestOptions): EdgeHarness {
  const env = parseEnv(edgeEnvSchema, { CORE_URL: "http://core.test", TRUST_PROXY: "true", ...options.env });
  const logger = memoryLogger("edge");
  const metrics = createMetrics("edge");
  const upstream = typeof options.upstream === "function"
    ? options.upstream(kv)
    : options.upstream ?? new Hono().all("*", (c) => c.json({ ok: true }));
  const upstreamCalls: Request[] = [];
  const services: EdgeServices = {
    env,
    logger,
    metrics,
    fetch: (input, init) => {
      const req = new Request(input, init);
      upstreamCalls.push(req.clone());
      return Promise.resolve(upstream.fetch(req));
    },
    kv,
    revocations: {
      isRevoked: () => Promise.reject(new Error("access tokens are not used by the KV harness")),
    },
    // Token checks are the identity tests' business; here a test identity comes from `X-Test-User` (see below).
    verifyAccessToken: () => Promise.reject(new Error("access tokens are not used by the KV harness")),
    rateLimiter: createRateLimiter(kv, {
      logger,
      onFallback: () => edgeMetricsOf(metrics).kvFallback.inc({ component: "ratelimit" }),
    }),
  };
  return {
    app: createEdgeApp(services),
    appWithIdentity: mirrorWithIdentity(services),
    services,
    kv,
    kind,
    upstreamCalls,
    metricsText: () => metrics.registry.metrics(),
  };
}

/** A test identity from `X-Test-User: <uuid>:<ROLE>`; stands where token verification will. */
const testIdentity: MiddlewareHandler<ServiceEnv<EdgeVariables>> = async (c, next) => {
  const header = c.req.header("x-test-user");
  if (header) {
    const [userId, role] = header.split(":");
    c.set("identity", Identity.parse({ userId, role }));
  }
  await next();
};

/** The `/api/v1/*` chain of `createEdgeApp`, in its order, with the test identity where token checks go. */
function mirrorWithIdentity(services: EdgeServices): Hono<ServiceEnv<EdgeVariables>> {
  const { env } = services;
  const app = createServiceApp<EdgeVariables>({
    service: "edge",
    logger: services.logger,
    metrics: services.metrics,
    trustRequestId: true,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    readiness: {},
  });
  app.use("*", async (c, next) => {
    c.set("services", services);
    c.set("clientIp", c.req.header("x-forwarded-for")?.split(",")[0].trim() ?? "unknown");
    await next();
  });
  app.use("/api/v1/*", ipRateLimit());
  app.use("/api/v1/*", testIdentity);
  app.use("/api/v1/*", routeRateLimit());
  app.use("/api/v1/*", edgeCache());
  app.all("/api/v1/*", (c) =>
    forwardToCore(c, {
      coreUrl: env.CORE_URL,
      path: c.req.path.slice("/api".length),
      requestId: c.get("requestId"),
      clientIp: c.get("clientIp"),
      timeoutMs: env.CORE_TIMEOUT_MS,
      fetch: services.fetch,
      headers: c.get("forwardHeaders"),
    }));
  return app;
}
