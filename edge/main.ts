import { serveUntilSignal } from "../shared/http/serve.ts";
import { createLogger, type Logger } from "../shared/logger.ts";
import client from "prom-client";
import { createMetrics, type ServiceMetrics } from "../shared/metrics.ts";
import { createKv, type KvStore } from "../shared/kv/mod.ts";
import { KvRevocationCheck, type RevocationCheck } from "../shared/kv/revocation.ts";
import { RevocationMirror } from "../shared/kv/revocation_mirror.ts";
import { createAccessTokenVerifier } from "./auth/verify.ts";
import { createEdgeApp } from "./app.ts";
import { type EdgeEnv, loadEdgeEnv } from "./env.ts";
import { edgeMetricsOf } from "./metrics.ts";
import { createRateLimiter } from "./ratelimit/mod.ts";
import type { EdgeServices } from "./services.ts";

/**
 * The edge's view of revocations: with a remote KV (Upstash) a mirror of the change log in this process, synced
 * about once a second, so a signed-in request costs no KV call; with the in-process KV (embedded, tests sharing one
 * store with core) direct reads, which cost nothing and see a revocation at once.
 */
export function createRevocationCheck(
  env: EdgeEnv,
  kv: KvStore,
  observe: { logger: Logger; metrics: ServiceMetrics },
): RevocationCheck {
  if (kv.kind === "memory") return new KvRevocationCheck(kv);
  const edgeMetrics = edgeMetricsOf(observe.metrics);
  const mirror = new RevocationMirror({
    kv,
    syncIntervalMs: env.REVOCATION_SYNC_INTERVAL_MS,
    maxStalenessMs: env.REVOCATION_MAX_STALENESS_MS,
    logger: observe.logger,
    onSyncFailure: () => edgeMetrics.kvFallback.inc({ component: "revocation" }),
  });
  new client.Gauge({
    name: "edge_revocation_mirror_age_seconds",
    help:
      "Time since the last successful read of the revocation log began; past REVOCATION_MAX_STALENESS_MS " +
      "signed-in calls are refused (503)",
    registers: [observe.metrics.registry],
    collect() {
      this.set(Number.isFinite(mirror.ageMs) ? mirror.ageMs / 1000 : -1);
    },
  });
  return mirror;
}

/**
 * Builds the edge's services from configuration. Pass `kv` when core runs in the same process (dev) so both see
 * the same revocations; pass `fetch` to reach core some other way (tests).
 */
export function buildEdgeServices(
  env: EdgeEnv,
  shared: { kv?: KvStore; fetch?: typeof fetch } = {},
): EdgeServices {
  const logger = createLogger("edge", { level: env.LOG_LEVEL });
  const metrics = createMetrics("edge");
  const kv = shared.kv ?? createKv(env);
  const fetchCore = shared.fetch ?? globalThis.fetch;
  const rateLimiter = createRateLimiter(kv, {
    logger,
    onFallback: () => edgeMetricsOf(metrics).kvFallback.inc({ component: "ratelimit" }),
  });
  const revocations = createRevocationCheck(env, kv, { logger, metrics });
  return {
    env,
    logger,
    metrics,
    fetch: fetchCore,
    kv,
    rateLimiter,
    revocations,
    verifyAccessToken: createAccessTokenVerifier({
      jwksUrl: env.JWKS_URL ?? new URL("/.well-known/jwks.json", env.CORE_URL).toString(),
      fetch: fetchCore,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      revocations,
      cacheSeconds: env.JWKS_CACHE_SECONDS,
      cooldownSeconds: env.JWKS_COOLDOWN_SECONDS,
    }),
  };
}

/**
 * Starts what the edge keeps up to date in the background (the revocation mirror's syncs); returns how to stop it.
 * `main.ts` and `deploy.ts` call it; tests sync on demand instead (the first signed-in request waits for a sync).
 */
export function startEdgeBackground(services: EdgeServices): () => void {
  const mirror = services.revocations instanceof RevocationMirror ? services.revocations : null;
  mirror?.start();
  return () => mirror?.stop();
}

/** The edge's fetch handler, passing the socket address to the app as its env. */
export function edgeHandler(services: EdgeServices) {
  const app = createEdgeApp(services);
  return (req: Request, info: Deno.ServeHandlerInfo) => app.fetch(req, { remoteAddr: info.remoteAddr });
}

if (import.meta.main) {
  const env = loadEdgeEnv();
  const services = buildEdgeServices(env);
  const stopBackground = startEdgeBackground(services);
  await serveUntilSignal({
    name: "edge",
    port: env.EDGE_PORT,
    hostname: env.EDGE_HOSTNAME,
    handler: edgeHandler(services),
    logger: services.logger,
    onShutdown: () => Promise.resolve(stopBackground()),
  });
}
