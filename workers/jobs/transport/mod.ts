import { Client } from "@upstash/qstash";
import { jobTransportOf, type WorkersEnv } from "../../env.ts";
import type { RunnerOptions } from "../runner.ts";
import { EmbeddedQueue } from "./embedded.ts";
import type { JobTransport } from "./interface.ts";
import { QStashDispatcher } from "./qstash.ts";

/** Picks the job transport from configuration: QStash when configured, else the embedded queue. */
export function createJobTransport(env: WorkersEnv, runner: RunnerOptions): JobTransport {
  if (jobTransportOf(env) === "qstash") {
    return new QStashDispatcher({
      database: runner.database,
      logger: runner.logger,
      // devMode false: never start or look for the QStash dev server (it downloads a binary).
      client: new Client({
        baseUrl: env.QSTASH_URL,
        token: env.QSTASH_TOKEN!,
        devMode: false,
        enableTelemetry: false,
        // Network errors only (HTTP errors are not retried by the client); the outbox retries later anyway.
        retry: { retries: 2 },
      }),
      publicUrl: env.WORKERS_PUBLIC_URL!,
      maxAttempts: env.JOB_MAX_ATTEMPTS,
      pollMs: env.JOB_POLL_MS,
      batchSize: 50,
    });
  }
  return new EmbeddedQueue({ runner, pollMs: env.JOB_POLL_MS, concurrency: env.JOB_CONCURRENCY });
}
