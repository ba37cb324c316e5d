import { serveUntilSignal } from "../shared/http/serve.ts";
import { createLogger } from "../shared/logger.ts";
import { createMetrics } from "../shared/metrics.ts";
import { createKv } from "../shared/kv/mod.ts";
import { createEdgeApp } from "./app.ts";
import { type EdgeEnv, loadEdgeEnv } from "./env.ts";
import { edgeMetricsOf } from "./metrics.ts";
import { createRateLimiter } from "./ratelimit/mod.ts";
import type { EdgeServices } from "./services.ts";

/** Builds the edge's services from configuration. */
export function buildEdgeServices(env: EdgeEnv): EdgeServices {
  const logger = createLogger("edge", { level: env.LOG_LEVEL });
  const metrics = createMetrics("edge");
  const kv = createKv(env);
  const rateLimiter = createRateLimiter(kv, {
    logger,
    onFallback: () => edgeMetricsOf(metrics).kvFallback.inc({ component: "ratelimit" }),
  });
  return { env, logger, metrics, fetch: globalThis.fetch, kv, rateLimiter };
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
