import { markDead } from "./store.ts";
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

/**
 * QStash's failure callback: it gave up delivering a job (every retry failed, e.g. the worker kept crashing or
 * timing out). The job becomes `dead` with QStash's reason, unless it already finished.
 */
export async function recordDeliveryFailure(
  jobId: string,
  reason: string,
  runner: Pick<RunnerOptions, "database" | "logger">,
): Promise<boolean> {
  const marked = await markDead(runner.database.db, jobId, reason);
  if (marked) runner.logger.error("job dead: QStash gave up delivering it", { jobId, reason });
  return marked;
}
