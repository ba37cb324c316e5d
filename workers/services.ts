import type { Database } from "../shared/db/client.ts";
import type { Logger } from "../shared/logger.ts";
import type { ServiceMetrics } from "../shared/metrics.ts";
import type { WorkersEnv } from "./env.ts";

/** Everything the workers' handlers use, built once at start. */
export interface WorkersServices {
  env: WorkersEnv;
  database: Database;
  logger: Logger;
  metrics: ServiceMetrics;
}

/** Hono context variables of the workers tier. */
export interface WorkersVariables {
  services: WorkersServices;
}
