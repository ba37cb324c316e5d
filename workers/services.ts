import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Receiver } from "@upstash/qstash";
import type { ServiceEnv } from "../shared/http/service_app.ts";
import type { Database } from "../shared/db/client.ts";
import type { DocumentServices } from "../shared/documents/services.ts";
import type { KvStore } from "../shared/kv/interface.ts";
import type { Logger } from "../shared/logger.ts";
import type { Mailer } from "../shared/mail/interface.ts";
import type { InProcessScheduler } from "./jobs/scheduler.ts";
import type { ServiceMetrics } from "../shared/metrics.ts";
import type { WorkersEnv } from "./env.ts";
import type { RunnerOptions } from "./jobs/runner.ts";
import type { JobTransport } from "./jobs/transport/interface.ts";

/** The job machinery of the workers tier. */
export interface WorkersJobs {
  /** How claimed jobs are run (handlers, lease, attempts, backoff). */
  runner: RunnerOptions;
  /** The dispatcher chosen from config; `main.ts` starts and stops it. */
  transport: JobTransport;
  /** Verifies QStash deliveries; unset when QStash is not configured (deliveries then get 401). */
  receiver?: Pick<Receiver, "verify">;
  /** `WORKERS_PUBLIC_URL`: the URL QStash signs deliveries for. */
  publicUrl?: string;
}

/** Everything the workers' handlers use, built once at start. */
export interface WorkersServices {
  env: WorkersEnv;
  database: Database;
  logger: Logger;
  metrics: ServiceMetrics;
  jobs: WorkersJobs;
  /** Storage, embedder and vector store of ingestion (lazy: the model loads on the first document). */
  documents: DocumentServices;
  /** The KV store shared with core and the edge (search-cache scope versions). */
  kv: KvStore;
  /** Sends `mail.send` jobs: SMTP when `SMTP_URL` is set, else the database mailbox. */
  mailer: Mailer;
  /** The in-process scheduler (embedded default); absent when QStash schedules the jobs. */
  scheduler?: InProcessScheduler;
}

/** Hono context variables of the workers tier. */
export interface WorkersVariables {
  services: WorkersServices;
}

/** The workers tier's Hono app type: route modules register on it (built by `createWorkersApp` in app.ts). */
export type WorkersApp = OpenAPIHono<ServiceEnv<WorkersVariables>>;
