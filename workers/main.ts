import { Receiver } from "@upstash/qstash";
import { type Database, openDatabase } from "../shared/db/client.ts";
import { databaseConfig } from "../shared/db/env.ts";
import { migrateDatabase } from "../shared/db/migrate.ts";
import { serveUntilSignal } from "../shared/http/serve.ts";
import { createLogger } from "../shared/logger.ts";
import { aiMetricsOf } from "../shared/ai_metrics.ts";
import { createMetrics } from "../shared/metrics.ts";
import { createWorkersApp } from "./app.ts";
import { jobTransportOf, loadWorkersEnv, type WorkersEnv } from "./env.ts";
import { createJobHandlers } from "./jobs/handlers/mod.ts";
import { queueGoldenRunsForModel } from "../shared/golden/queue.ts";
import { OfflineTutor } from "../shared/tutor/model/offline.ts";
import { createTutorModel } from "../shared/tutor/model/mod.ts";
import { registerJobMetrics } from "./jobs/metrics.ts";
import type { JobRegistry } from "./jobs/registry.ts";
import { createJobTransport } from "./jobs/transport/mod.ts";
import { InProcessScheduler } from "./jobs/scheduler.ts";
import type { WorkersServices } from "./services.ts";
import { createDocumentServices, type DocumentServiceOverrides } from "../shared/documents/services.ts";
import { createKv, type KvStore } from "../shared/kv/mod.ts";
import { reanalyzeStaleDocuments } from "../shared/rag/reanalyze.ts";
import { createMailer } from "../shared/mail/mod.ts";
import type { Mailer } from "../shared/mail/interface.ts";

/** A name for this process in `jobs.locked_by`: host, pid and a random suffix (pids repeat across restarts). */
function workerIdOf(): string {
  let host = "localhost";
  try {
    host = Deno.hostname();
  } catch {
    // No --allow-sys: the pid and suffix still tell processes apart.
  }
  return `${host}:${Deno.pid}:${crypto.randomUUID().slice(0, 8)}`;
}

/** Builds the workers' services from configuration and an open database; `registry` defaults to every handler. */
export function buildWorkersServices(
  env: WorkersEnv,
  database: Database,
  options: {
    registry?: JobRegistry;
    kv?: KvStore;
    documents?: DocumentServiceOverrides;
    mailer?: Mailer;
  } = {},
): WorkersServices {
  const logger = createLogger("workers", { level: env.LOG_LEVEL });
  const mailer = options.mailer ?? createMailer(env, logger.child({ component: "mail" }));
  const metrics = createMetrics("workers");
  // Workers call the models (exam generation, grading): the contract's model metrics are exported here too.
  aiMetricsOf(metrics.registry);
  const kv = options.kv ?? createKv(env);
  const documents = createDocumentServices(env, database, options.documents);
  const runner = {
    database,
    logger,
    // Exams and golden runs use the model when it is OpenAI-compatible; the offline generator, grader and tutor else.
    registry: options.registry ?? createJobHandlers(
      env.TUTOR_MODEL === "openai" ? { model: createTutorModel(env, { metrics: metrics.registry }) } : {},
    ),
    workerId: workerIdOf(),
    leaseMs: env.JOB_LEASE_MS,
    maxAttempts: env.JOB_MAX_ATTEMPTS,
    maxRequeues: env.JOB_MAX_REQUEUES,
    backoff: { baseMs: env.JOB_BACKOFF_BASE_MS, maxMs: env.JOB_BACKOFF_MAX_MS },
    metrics: registerJobMetrics(metrics.registry, database),
    deps: {
      documents,
      kv,
      mailer,
      mailFrom: env.MAIL_FROM,
      retention: { chatDays: env.CHAT_RETENTION_DAYS },
    },
  };
  const signing = env.QSTASH_CURRENT_SIGNING_KEY && env.QSTASH_NEXT_SIGNING_KEY;
  return {
    env,
    database,
    logger,
    metrics,
    jobs: {
      runner,
      transport: createJobTransport(env, runner),
      receiver: signing
        ? new Receiver({
          currentSigningKey: env.QSTASH_CURRENT_SIGNING_KEY!,
          nextSigningKey: env.QSTASH_NEXT_SIGNING_KEY!,
          devMode: false,
        })
        : undefined,
      publicUrl: env.WORKERS_PUBLIC_URL,
    },
    documents,
    kv,
    mailer,
    scheduler: schedulerOf(env)
      ? new InProcessScheduler({ database, logger: logger.child({ component: "scheduler" }) })
      : undefined,
  };
}

/** Whether this process runs the schedules itself: `auto` does unless QStash carries jobs (it schedules too). */
function schedulerOf(env: WorkersEnv): boolean {
  if (env.SCHEDULER === "auto") return jobTransportOf(env) === "embedded";
  return env.SCHEDULER === "in-process";
}

/** Runs the workers process: migrations, the job dispatcher, and the HTTP server, until SIGINT/SIGTERM. */
export async function runWorkers(env: WorkersEnv, options: { registry?: JobRegistry } = {}): Promise<void> {
  const database = await openDatabase(databaseConfig(env));
  if (env.MIGRATE_ON_START) await migrateDatabase(database);
  const services = buildWorkersServices(env, database, options);
  // Golden sets last answered by another tutor model are re-run once with this one; failing here only skips that.
  const goldenModel = (env.TUTOR_MODEL === "openai" ? createTutorModel(env) : new OfflineTutor()).modelFor(
    "chat",
  );
  await queueGoldenRunsForModel(database.db, goldenModel).catch((err) =>
    services.logger.warn("golden runs for the model not queued", { error: String(err) })
  );
  // Documents indexed by an earlier keyword analyzer get the current one's terms, in the background; search serves
  // meanwhile (their first-reading terms are unchanged). docs/retrieval.md, "Re-analysis".
  const stopReanalysis = new AbortController();
  const reanalysis = reanalyzeStaleDocuments(database, { signal: stopReanalysis.signal })
    .then((documents) => {
      if (documents > 0) services.logger.info("keyword terms re-analysed", { documents });
    })
    .catch((err) => services.logger.warn("keyword re-analysis stopped", { error: String(err) }));
  services.jobs.transport.start();
  services.scheduler?.start();
  await serveUntilSignal({
    name: "workers",
    port: env.WORKERS_PORT,
    hostname: env.WORKERS_HOSTNAME,
    handler: createWorkersApp(services).fetch,
    logger: services.logger,
    onShutdown: async () => {
      stopReanalysis.abort();
      await reanalysis;
      await services.scheduler?.stop();
      await services.jobs.transport.stop(env.JOB_SHUTDOWN_GRACE_MS);
      await services.mailer.close();
      // Kills the document-processing children; work they still ran was handed back above.
      await services.documents.processor.close();
      await database.close();
    },
  });
}

if (import.meta.main) {
  await runWorkers(loadWorkersEnv());
}
