/**
 * How jobs reach the handlers. Implementations: the embedded durable queue (a dispatcher in this process claims
 * due rows from the `jobs` table) and QStash (a dispatcher publishes outbox rows; QStash pushes each to
 * `POST /jobs/<type>`). Both run the same handlers through `runClaimedJob`. Chosen in `mod.ts` from config.
 */
export interface JobTransport {
  readonly kind: "embedded" | "qstash";
  /** Starts the dispatcher loop; its first pass runs at once, so rows left by a crash are picked up on start. */
  start(): void;
  /** Stops taking new work and waits up to `graceMs` for work in flight; unfinished jobs are retaken by lease. */
  stop(graceMs?: number): Promise<void>;
  /** Runs one dispatcher pass now (tests; and after an enqueue in the same process, to skip the poll wait). */
  tick(): Promise<number>;
}
