import type { Logger } from "@app/shared/logger.ts";
import { runClaimedJob, type RunnerOptions } from "../runner.ts";
import { claimDueJobs, releaseHeldJobs } from "../store.ts";
import type { JobTransport } from "./interface.ts";

/** Settings of the embedded queue. */
export interface EmbeddedQueueOptions {
  runner: RunnerOptions;
  /** Time between claims when the queue was empty. */
  pollMs: number;
  /** Jobs this process runs at once. */
  concurrency: number;
}

/**
 * The embedded durable queue: jobs live in the database, so they survive restarts; this dispatcher claims due rows
 * with `FOR UPDATE SKIP LOCKED` (safe with many worker processes on Postgres) and runs them here.
 */
export class EmbeddedQueue implements JobTransport {
  readonly kind = "embedded" as const;
  #options: EmbeddedQueueOptions;
  #logger: Logger;
  #inflight = new Set<Promise<unknown>>();
  #running = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #loop: Promise<void> | undefined;
  #busy = false;

  constructor(options: EmbeddedQueueOptions) {
    this.#options = options;
    this.#logger = options.runner.logger.child({ component: "embedded-queue" });
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#logger.info("job dispatcher started", {
      transport: this.kind,
      workerId: this.#options.runner.workerId,
      concurrency: this.#options.concurrency,
    });
    this.#schedule(0);
  }

  #schedule(ms: number) {
    if (!this.#running) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      // A pass in progress reschedules itself when it ends.
      if (this.#busy) return;
      this.#busy = true;
      this.#loop = this.tick().finally(() => this.#busy = false).then(
        (claimed) => this.#schedule(claimed > 0 ? 0 : this.#options.pollMs),
        (err) => {
          // The database may be briefly away (restart, failover): keep polling, the jobs wait in their rows.
          this.#logger.warn("claiming jobs failed; will retry", { err });
          this.#schedule(this.#options.pollMs);
        },
      );
    }, ms);
  }

  async tick(): Promise<number> {
    const free = this.#options.concurrency - this.#inflight.size;
    if (free <= 0) return 0;
    const claimed = await claimDueJobs(this.#options.runner.database.db, {
      workerId: this.#options.runner.workerId,
      limit: free,
      leaseMs: this.#options.runner.leaseMs,
    });
    for (const job of claimed) {
      const run = runClaimedJob(job, this.#options.runner)
        .catch((err) => this.#logger.error("job run crashed", { jobId: job.id, err }))
        .finally(() => {
          this.#inflight.delete(run);
          // A slot came free: look for more work now rather than after the poll interval.
          if (this.#running && !this.#busy) this.#schedule(0);
        });
      this.#inflight.add(run);
    }
    return claimed.length;
  }

  /** Stops claiming, gives running jobs `graceMs` to finish, then hands the unfinished ones back to the queue. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#loop?.catch(() => {});
    if (this.#inflight.size === 0) return;
    this.#logger.info("waiting for running jobs", { count: this.#inflight.size, graceMs });
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([...this.#inflight]),
      new Promise((resolve) => timer = setTimeout(resolve, graceMs)),
    ]);
    clearTimeout(timer);
    if (this.#inflight.size === 0) return;
    // Still running after the grace period: hand the jobs back now rather than leave them to their leases.
    const released = await releaseHeldJobs(this.#options.runner.database.db, this.#options.runner.workerId)
      .catch((err) => {
        this.#logger.warn("handing back running jobs failed; their leases will run out", { err });
        return 0;
      });
    this.#logger.info("handed back unfinished jobs", { count: released });
  }
}
