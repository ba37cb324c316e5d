import type { Logger } from "../logger.ts";

/** One timed pipeline step, as logged and returned with the turn. */
export interface StepRecord {
  step: string;
  durationMs: number;
  outcome: string;
  [field: string]: unknown;
}

/** Records and logs pipeline steps of one turn: one structured line per step. */
export class StepLog {
  readonly records: StepRecord[] = [];
  readonly #logger: Logger;

  /** Steps are logged through `logger` (a child carrying the turn's ids is a good choice). */
  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Runs `fn` as a step; `outcomeOf` names the outcome and adds fields. A throw is logged as outcome "error". */
  async run<T>(
    step: string,
    fn: () => Promise<T> | T,
    outcomeOf: (value: T) => { outcome: string; [field: string]: unknown },
  ): Promise<T> {
    const started = performance.now();
    try {
      const value = await fn();
      this.record({ step, durationMs: elapsed(started), ...outcomeOf(value) });
      return value;
    } catch (error) {
      this.record({ step, durationMs: elapsed(started), outcome: "error", error });
      throw error;
    }
  }

  /** Records a step timed by the caller (streaming steps end long after they start). */
  record(record: StepRecord): void {
    const { error, ...rest } = record;
    // The returned records stay plain data; the log line keeps the whole error with its stack.
    this.records.push(
      error === undefined ? rest : { ...rest, error: error instanceof Error ? error.message : error },
    );
    const level = record.outcome === "error" ? "warn" : "info";
    this.#logger[level]("tutor step", record);
  }
}

/** Milliseconds since `started`, rounded to 0.01 ms. */
export function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
