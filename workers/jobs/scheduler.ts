/** The in-process scheduler of the embedded default: enqueues each schedule's latest due slot, once per slot. */
import type { Database } from "../../shared/db/client.ts";
import { enqueueScheduled, latestSlot, type Schedule, SCHEDULES } from "../../shared/jobs/schedules.ts";
import type { Logger } from "../../shared/logger.ts";

/**
 * Every `intervalMs` (and at start) looks back for each schedule's latest slot and enqueues it unless it already
 * ran, so a process that was down at 03:17 still runs the daily job once when it comes back (within a day).
 */
export class InProcessScheduler {
  #timer: ReturnType<typeof setInterval> | undefined;
  #tick: Promise<unknown> | undefined;

  constructor(
    private readonly options: {
      database: Database;
      logger: Logger;
      schedules?: readonly Schedule[];
      intervalMs?: number;
      now?: () => Date;
    },
  ) {}

  /** One pass: returns the job ids enqueued. */
  async tick(): Promise<string[]> {
    const now = this.options.now?.() ?? new Date();
    const enqueued: string[] = [];
    for (const schedule of this.options.schedules ?? SCHEDULES) {
      const slot = latestSlot(schedule.cron, now);
      if (!slot) continue;
      const jobId = await enqueueScheduled(this.options.database.db, schedule, slot);
      if (jobId) {
        enqueued.push(jobId);
        this.options.logger.info("scheduled job enqueued", { schedule: schedule.name, slot, jobId });
      }
    }
    return enqueued;
  }

  start(): void {
    const run = () => {
      this.#tick = this.tick().catch((err) => this.options.logger.warn("scheduler pass failed", { err }));
    };
    run();
    this.#timer = setInterval(run, this.options.intervalMs ?? 30_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#tick;
  }
}
