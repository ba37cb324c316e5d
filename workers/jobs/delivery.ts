import { markDead, requeueForDelivery } from "./store.ts";
import { runClaimedJob, type RunnerOptions, type RunOutcome } from "./runner.ts";
import { claimJob } from "./store.ts";

/** What a push delivery (QStash) of one job came to, and the HTTP status that tells QStash what to do next. */
export interface DeliveryResult {
  status: 200 | 409 | 500;
  state: "succeeded" | "dead" | "retry" | "busy" | "missing" | "lost" | "already-succeeded" | "already-dead";
}

/**
 * Runs one pushed job. 2xx tells QStash to stop (done, dead, or nothing to do); non-2xx asks it to retry later: a
 * failed attempt with attempts left, or a job another worker holds under a live lease. A delivery of a job that
 * already succeeded is acknowledged without running it again.
 */
export async function deliverJob(jobId: string, runner: RunnerOptions): Promise<DeliveryResult> {
  const claim = await claimJob(runner.database.db, jobId, {
    workerId: runner.workerId,
    leaseMs: runner.leaseMs,
  });
  switch (claim.state) {
    case "missing":
      runner.logger.warn("delivery for a job that does not exist; acknowledged", { jobId });
      return { status: 200, state: "missing" };
    case "succeeded":
      return { status: 200, state: "already-succeeded" };
    case "dead":
      return { status: 200, state: "already-dead" };
    case "busy":
      return { status: 409, state: "busy" };
  }
  const outcome: RunOutcome = await runClaimedJob(claim.job, runner);
  if (outcome === "retry") return { status: 500, state: "retry" };
  if (outcome === "lost") return { status: 409, state: "lost" };
  return { status: 200, state: outcome };
}

/** Times a job QStash gave up on is put back for delivery before the next give-up makes it dead. */
export const DEFAULT_MAX_REQUEUES = 5;

/** What the failure callback did with a job QStash gave up on. */
export type GaveUpOutcome = "requeued" | "dead" | "already-finished";

/**
 * QStash's failure callback: it gave up delivering a job. Only a delivery that claimed the job counts an attempt, so
 * giving up does not mean the attempts ran out: the last deliveries may have met a database outage (500 before any
 * claim) or a lease still held by a worker that died (409). Such a job is put back in the outbox for a new message,
 * due after the worker's backoff base and any live lease; attempts that do run still count, and a job whose
 * attempts are spent ends dead on its next claim with its own reason. A refusal that would repeat on every delivery
 * (a 4xx other than 409: signature, route, body) makes the job dead with QStash's reason. So that a job no delivery
 * can claim (the database down at every delivery, a route that always fails) cannot cycle forever, it is put back at
 * most `maxRequeues` times (`JOB_MAX_REQUEUES`); the next give-up makes it dead with the reason, unless a worker
 * holds it under a live lease (that worker finishes it, or its lease runs out and the job is put back).
 */
export async function recordDeliveryFailure(
  jobId: string,
  lastStatus: number | undefined,
  reason: string,
  runner: Pick<RunnerOptions, "database" | "logger" | "backoff" | "maxRequeues">,
): Promise<GaveUpOutcome> {
  const retryable = lastStatus === undefined || lastStatus === 0 || lastStatus === 409 || lastStatus >= 500;
  if (retryable) {
    const maxRequeues = runner.maxRequeues ?? DEFAULT_MAX_REQUEUES;
    const row = await requeueForDelivery(runner.database.db, jobId, runner.backoff.baseMs, maxRequeues);
    if (!row) {
      // Finished meanwhile, or put back `maxRequeues` times already with no worker able to finish a claim.
      const capped = `QStash gave up on it again after it was put back ${maxRequeues} times; ` +
        `no delivery could claim and finish it (last: ${reason})`;
      const marked = await markDead(runner.database.db, jobId, capped);
      if (marked) runner.logger.error("job dead: put back too often", { jobId, reason, maxRequeues });
      return marked ? "dead" : "already-finished";
    }
    runner.logger.warn("QStash gave up on a job with attempts left; published again", {
      jobId,
      reason,
      status: row.status,
      attempts: row.attempts,
      runAfter: row.runAfter,
    });
    return "requeued";
  }
  const marked = await markDead(runner.database.db, jobId, reason);
  if (marked) runner.logger.error("job dead: QStash gave up delivering it", { jobId, reason });
  return marked ? "dead" : "already-finished";
}
