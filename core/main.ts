import { openDatabase } from "../shared/db/client.ts";
import { databaseConfig } from "../shared/db/env.ts";
import { migrateDatabase } from "../shared/db/migrate.ts";
import { createLogger } from "../shared/logger.ts";
import { createMetrics } from "../shared/metrics.ts";
import { serveUntilSignal } from "../shared/http/serve.ts";
import { createCoreApp } from "./app.ts";
import { type CoreEnv, loadCoreEnv } from "./env.ts";
import type { CoreServices } from "./services.ts";
import type { Database } from "../shared/db/client.ts";

/** Builds core's services from configuration and an open database. */
export function buildCoreServices(env: CoreEnv, database: Database): CoreServices {
  return {
    env,
    database,
    logger: createLogger("core", { level: env.LOG_LEVEL }),
    metrics: createMetrics("core"),
  };
}

if (import.meta.main) {
  const env = loadCoreEnv();
  const database = await openDatabase(databaseConfig(env));
  if (env.MIGRATE_ON_START) await migrateDatabase(database);
  const services = buildCoreServices(env, database);
  await serveUntilSignal({
    name: "core",
    port: env.CORE_PORT,
    hostname: env.CORE_HOSTNAME,
    handler: createCoreApp(services).fetch,
    logger: services.logger,
    onShutdown: () => database.close(),
  });
}
