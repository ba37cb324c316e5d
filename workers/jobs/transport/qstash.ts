import type { Client } from "@upstash/qstash";
import type { Database } from "@app/shared/db/client.ts";
import type { JobRow } from "@app/shared/jobs/enqueue.ts";
import type { Logger } from "@app/shared/logger.ts";
import { markDispatched, pendingOutbox } from "../store.ts";
import type { JobTransport } from "./interface.ts";

/** Settings of the QStash dispatcher. */
export interface QStashDispatcherOptions {
  database: Database;
  logger: Logger;
  client: Pick<Client, "publishJSON">;
  /** Where QStash reaches this tier, e.g. `https://workers.example.edu`. */
  publicUrl: string;
  /** Attempts per job: QStash retries a failed delivery `maxAttempts - 1` times. */
  maxAttempts: number;
  pollMs: number;
  batchSize: number;
}

/** The body QStash carries to `POST /jobs/<type>`: the job lives in the database, the message only points at it. */
export interface JobDelivery {
  jobId: string;
  type: string;
}

/** The path the failure callback arrives at; job types never start with `_`. */
export const FAILURE_CALLBACK_PATH = "/jobs/_failed";

/** The deduplication id of a job's publish: the job id, suffixed after a manual retry so QStash accepts it again. */
export function deduplicationIdOf(job: Pick<JobRow, "id" | "generation">): string {
  return job.generation === 0 ? job.id : `${job.id}-r${job.generation}`;
}

/**
 * The QStash transport's dispatcher: publishes outbox rows (committed jobs not yet dispatched, and unfinished jobs the
 * failure callback put back) to
 * `${publicUrl}/jobs/<type>`, then marks them dispatched. A crash between publish and mark publishes again on the
 * next pass; the job id as deduplication id makes QStash drop the copy.
 */
export class QStashDispatcher implements JobTransport {
  readonly kind = "qstash" as const;
  #options: QStashDispatcherOptions;
  #logger: Logger;
  #running = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: QStashDispatcherOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: "qstash-dispatcher" });
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#logger.info("job dispatcher started", { transport: this.kind, publicUrl: this.#options.publicUrl });
    this.#schedule(0);
  }

  #schedule(ms: number) {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#loop = this.tick().then(
        (published) => this.#schedule(published >= this.#options.batchSize ? 0 : this.#options.pollMs),
        (err) => {
          this.#logger.warn("outbox scan failed; will retry", { err });
          this.#schedule(this.#options.pollMs);
        },
      );
    }, ms);
  }

  async tick(): Promise<number> {
    const { database, publicUrl, maxAttempts } = this.#options;
    const rows = await pendingOutbox(database.db, this.#options.batchSize);
    let published = 0;
    for (const job of rows) {
      try {
        const body: JobDelivery = { jobId: job.id, type: job.type };
        const attempts = job.maxAttempts ?? maxAttempts;
        const res = await this.#options.client.publishJSON({
          url: `${publicUrl}/jobs/${job.type}`,
          body,
          deduplicationId: deduplicationIdOf(job),
          retries: Math.max(0, attempts - 1),
          // A job put back after QStash gave up is due later (its backoff, or the end of a live lease).
          ...(job.dueInMs > 0 ? { delay: Math.ceil(job.dueInMs / 1000) } : {}),
          failureCallback: `${publicUrl}${FAILURE_CALLBACK_PATH}`,
        });
        await markDispatched(database.db, job.id, job.generation);
        published++;
        this.#logger.info("job published", {
          jobId: job.id,
          jobType: job.type,
          messageId: "messageId" in res ? res.messageId : undefined,
        });
      } catch (err) {
        // QStash unreachable or refusing: the row stays in the outbox and the next pass publishes it.
        this.#logger.warn("publishing a job failed; it stays in the outbox", { jobId: job.id, err });
        break;
      }
    }
    return published;
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#loop?.catch(() => {});
  }
}
