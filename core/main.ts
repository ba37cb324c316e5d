import { openDatabase } from "../shared/db/client.ts";
import { databaseConfig } from "../shared/db/env.ts";
import { migrateDatabase } from "../shared/db/migrate.ts";
import { createLogger } from "../shared/logger.ts";
import { aiMetricsOf } from "../shared/ai_metrics.ts";
import { createMetrics } from "../shared/metrics.ts";
import { serveUntilSignal } from "../shared/http/serve.ts";
import { createCoreApp } from "./app.ts";
import { type CoreEnv, loadCoreEnv } from "./env.ts";
import type { CoreServices } from "./services.ts";
import type { Database } from "../shared/db/client.ts";
import { createKv, type KvStore } from "../shared/kv/mod.ts";
import { createKeyRing, type KeyRing } from "./auth/keys.ts";
import { turnAdmissionFromEnv } from "./chat/admission.ts";
import { createTutorModel } from "../shared/tutor/model/mod.ts";
import { databaseExamLockout } from "../shared/exams/lockout.ts";
import { createDocumentServices, type DocumentServiceOverrides } from "../shared/documents/services.ts";

/**
 * Builds core's services from configuration and an open database. Pass `kv` when another tier in the same process
 * must see the same revocations (dev).
 */
export function buildCoreServices(
  env: CoreEnv,
  database: Database,
  shared: { kv?: KvStore; documents?: DocumentServiceOverrides; chatDatabase?: Database } = {},
): CoreServices {
  const documents = createDocumentServices(env, database, shared.documents);
  const metrics = createMetrics("core");
  // The contract's model, retrieval and chat metrics are exported from the start, before their first sample.
  aiMetricsOf(metrics.registry);
  return {
    env,
    database,
    chatDatabase: shared.chatDatabase ?? database,
    logger: createLogger("core", { level: env.LOG_LEVEL }),
    metrics,
    kv: shared.kv ?? createKv(env),
    keys: keyRingFromEnv(env),
    documents,
    // Tutor and chat; retrieval uses `documents.embedder` and `documents.vectorStore`.
    tutorModel: createTutorModel(env, { metrics: metrics.registry }),
    chatTurns: turnAdmissionFromEnv(env),
    // While an exam of a course is open, the tutor refuses its items to that course's students.
    examLockout: databaseExamLockout(database),
  };
}

/**
 * Opens the chat turns' own pool (`DATABASE_CHAT_POOL_MAX` connections) beside the main one on Postgres; on PGlite,
 * or with 0, turns share `database`.
 */
export async function openChatDatabase(env: CoreEnv, database: Database): Promise<Database> {
  if (database.kind !== "postgres" || !env.DATABASE_URL || env.DATABASE_CHAT_POOL_MAX <= 0) return database;
  return await openDatabase({ ...databaseConfig(env), poolMax: env.DATABASE_CHAT_POOL_MAX });
}

/** The signing keys: JWT_SIGNING_KEYS when set, else a generated pair kept under DATA_DIR/keys. */
export function keyRingFromEnv(env: CoreEnv): KeyRing {
  return createKeyRing({
    configuredKeys: env.JWT_SIGNING_KEYS,
    file: `${env.DATA_DIR}/keys/jwt_signing_keys.json`,
    rotationMs: env.JWT_KEY_ROTATION_DAYS * 86_400_000,
    tokenTtlMs: env.ACCESS_TOKEN_TTL_SECONDS * 1000,
  });
}

if (import.meta.main) {
  const env = loadCoreEnv();
  const database = await openDatabase(databaseConfig(env));
  if (env.MIGRATE_ON_START) await migrateDatabase(database);
  const chatDatabase = await openChatDatabase(env, database);
  const services = buildCoreServices(env, database, { chatDatabase });
  await services.keys.signingKey(); // Load or create the signing key now, so a bad key stops the start.
  await serveUntilSignal({
    name: "core",
    port: env.CORE_PORT,
    hostname: env.CORE_HOSTNAME,
    handler: createCoreApp(services).fetch,
    logger: services.logger,
    onShutdown: async () => {
      if (chatDatabase !== database) await chatDatabase.close();
      await database.close();
    },
  });
}
