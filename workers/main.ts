import { type Database, openDatabase } from "../shared/db/client.ts";
import { databaseConfig } from "../shared/db/env.ts";
import { migrateDatabase } from "../shared/db/migrate.ts";
import { serveUntilSignal } from "../shared/http/serve.ts";
import { createLogger } from "../shared/logger.ts";
import { createMetrics } from "../shared/metrics.ts";
import { createWorkersApp } from "./app.ts";
import { loadWorkersEnv, type WorkersEnv } from "./env.ts";
import type { WorkersServices } from "./services.ts";

/** Builds the workers' services from configuration and an open database. */
export function buildWorkersServices(env: WorkersEnv, database: Database): WorkersServices {
  return {
    env,
    database,
    logger: createLogger("workers", { level: env.LOG_LEVEL }),
    metrics: createMetrics("workers"),
  };
}

if (import.meta.main) {
  const env = loadWorkersEnv();
  const database = await openDatabase(databaseConfig(env));
  if (env.MIGRATE_ON_START) await migrateDatabase(database);
  const services = buildWorkersServices(env, database);
  await serveUntilSignal({
    name: "workers",
    port: env.WORKERS_PORT,
    hostname: env.WORKERS_HOSTNAME,
    handler: createWorkersApp(services).fetch,
    logger: services.logger,
    onShutdown: () => database.close(),
  });
}
