import { z } from "zod";
import type { Database } from "../../shared/db/client.ts";
import { backoffDelayMs, type BackoffOptions } from "../../shared/jobs/backoff.ts";
import type { JobRow } from "../../shared/jobs/enqueue.ts";
import type { Logger } from "../../shared/logger.ts";
import type { JobMetrics } from "./metrics.ts";
import { handlerFor, type JobDeps, type JobRegistry, PermanentJobError } from "./registry.ts";
import { completeJob, extendLease, failJob, setProgress } from "./store.ts";

/** How the runner executes claimed jobs; shared by both transports. */
export interface RunnerOptions {
  database: Database;
  logger: Logger;
  registry: JobRegistry;
  /** Names this worker in `locked_by`; unique per process. */
  workerId: string;
  leaseMs: number;
  /** Attempts for jobs enqueued without their own limit. */
  maxAttempts: number;
  /** QStash: times a job QStash gave up on is put back for delivery before it is dead (default 5). */
  maxRequeues?: number;
  backoff: BackoffOptions;
  metrics?: JobMetrics;
  /** Services handed to handlers (`ctx.deps`); empty when the process has none configured. */
  deps?: JobDeps;
}

/** How one attempt ended: done, scheduled again, given up, or taken over by another worker. */
export type RunOutcome = "succeeded" | "retry" | "dead" | "lost";

/** Runs one attempt of a job the caller has claimed, and records its outcome on the row. */
export async function runClaimedJob(job: JobRow, options: RunnerOptions): Promise<RunOutcome> {
  const { database, workerId } = options;
  const logger = options.logger.child({ jobId: job.id, jobType: job.type, attempt: job.attempts });
  const maxAttempts = job.maxAttempts ?? options.maxAttempts;
  const started = performance.now();
  const finish = (outcome: RunOutcome) => {
    options.metrics?.runs.inc({ type: job.type, outcome });
    options.metrics?.duration.observe({ type: job.type }, (performance.now() - started) / 1000);
    return outcome;
  };
  const giveUp = async (error: string) => {
    const held = await failJob(database.db, job.id, { workerId, error });
    logger.error("job dead", { error });
    return finish(held ? "dead" : "lost");
  };

  if (job.attempts > maxAttempts) {
    return giveUp(job.lastError ?? `No attempts left (${maxAttempts} allowed)`);
  }
  const definition = handlerFor(options.registry, job.type);
  if (!definition) return giveUp(`No handler for job type "${job.type}"`);
  const parsed = definition.schema.safeParse(job.payload);
  // A payload that fails its schema will fail the same way on every retry: dead at once, with the reason.
  if (!parsed.success) return giveUp(`Invalid payload: ${z.prettifyError(parsed.error)}`);

  // Keep the lease alive while the handler works, so a long job is not taken over by another worker.
  const heartbeat = setInterval(() => {
    extendLease(database.db, job.id, workerId, options.leaseMs)
      .then((held) => {
        if (!held) logger.warn("lease lost: another worker took the job over");
      })
      .catch((err) => logger.warn("lease extension failed", { err }));
  }, Math.max(50, Math.floor(options.leaseMs / 3)));
  logger.info("job started");
  try {
    const outcome = await definition.run({
      job: {
        id: job.id,
        type: job.type,
        attempt: job.attempts,
        ownerUserId: job.ownerUserId,
        scope: job.scope,
        lastError: job.lastError,
      },
      payload: parsed.data,
      database,
      logger,
      deps: options.deps ?? {},
      reportProgress: async (percent, detail) => {
        await setProgress(database.db, job.id, {
          workerId,
          leaseMs: options.leaseMs,
          progress: percent,
          detail,
        });
      },
    });
    clearInterval(heartbeat);
    const held = await completeJob(database.db, job.id, {
      workerId,
      result: outcome?.result,
      resultUrl: outcome?.resultUrl,
    });
    if (!held) {
      logger.warn("job finished after its lease was lost; another worker owns it now");
      return finish("lost");
    }
    logger.info("job succeeded", { durationMs: Math.round(performance.now() - started) });
    return finish("succeeded");
  } catch (err) {
    clearInterval(heartbeat);
    const error = err instanceof Error ? err.message || err.name : String(err);
    // A permanent failure fails the same way on every retry: dead at once, with the handler's reason.
    if (err instanceof PermanentJobError || job.attempts >= maxAttempts) return giveUp(error);
    const retryInMs = backoffDelayMs(job.attempts, options.backoff);
    const held = await failJob(database.db, job.id, { workerId, error, retryInMs });
    logger.warn("job attempt failed", { error, retryInMs, attemptsLeft: maxAttempts - job.attempts });
    return finish(held ? "retry" : "lost");
  }
}
