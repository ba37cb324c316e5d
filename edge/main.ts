import { serveUntilSignal } from "../shared/http/serve.ts";
import { createLogger } from "../shared/logger.ts";
import { createMetrics } from "../shared/metrics.ts";
import { createKv, type KvStore } from "../shared/kv/mod.ts";
import { createAccessTokenVerifier } from "./auth/verify.ts";
import { createEdgeApp } from "./app.ts";
import { type EdgeEnv, loadEdgeEnv } from "./env.ts";
import { edgeMetricsOf } from "./metrics.ts";
import { createRateLimiter } from "./ratelimit/mod.ts";
import type { EdgeServices } from "./services.ts";

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
  return {
    env,
    logger,
    metrics,
    fetch: fetchCore,
    kv,
    rateLimiter,
    verifyAccessToken: createAccessTokenVerifier({
      jwksUrl: env.JWKS_URL ?? new URL("/.well-known/jwks.json", env.CORE_URL).toString(),
      fetch: fetchCore,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      kv,
      cacheSeconds: env.JWKS_CACHE_SECONDS,
      cooldownSeconds: env.JWKS_COOLDOWN_SECONDS,
    }),
  };
}

/** The edge's fetch handler, passing the socket address to the app as its env. */
export function edgeHandler(services: EdgeServices) {
  const app = createEdgeApp(services);
  return (req: Request, info: Deno.ServeHandlerInfo) => app.fetch(req, { remoteAddr: info.remoteAddr });
}

if (import.meta.main) {
  const env = loadEdgeEnv();
  const services = buildEdgeServices(env);
  await serveUntilSignal({
    name: "edge",
    port: env.EDGE_PORT,
    hostname: env.EDGE_HOSTNAME,
    handler: edgeHandler(services),
    logger: services.logger,
  });
}
