/**
 * Admission of chat turns in one core process. Until its first event a turn does its database work (account, quota,
 * the stored question, exam lockout, retrieval: some twenty statements on a pool of `DATABASE_POOL_MAX`
 * connections), so at most `concurrency` turns are in that part at once; up to `queue` more wait in arrival order,
 * and a turn that finds the queue full is refused at once (the route answers 503 with `Retry-After`) instead of
 * waiting past every proxy's timeout. Generation, which waits on the model, holds no slot. A turn whose client leaves
 * while it waits leaves the queue. No HTTP here.
 */
import { AppError, ErrorCode } from "../../shared/errors.ts";
import type { ChatEnv } from "./env.ts";

/** A running turn's place; release it once the turn has ended (twice is harmless). */
export interface TurnSlot {
  release(): void;
}

/** How many turns one process runs and holds. */
export interface TurnLimits {
  /** Turns running at once. */
  concurrency: number;
  /** Turns waiting for a slot beyond those; 0: none wait. */
  queue: number;
  /** What a refused caller is told to wait (seconds). */
  retryAfterSeconds: number;
}

interface Waiter {
  resolve(slot: TurnSlot): void;
  reject(reason: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** The turns of one process: running, waiting, and who is refused. */
export class TurnAdmission {
  #running = 0;
  readonly #waiting: Waiter[] = [];

  constructor(readonly limits: TurnLimits) {}

  /** Turns holding a slot now. */
  get running(): number {
    return this.#running;
  }

  /** Turns waiting for a slot now. */
  get queued(): number {
    return this.#waiting.length;
  }

  /**
   * Takes a place for one turn: a slot now, or a place in the queue (the promise resolves when a slot is free and
   * rejects with the signal's reason if it aborts first). Throws `UNAVAILABLE` with `Retry-After` when the queue is
   * full; nothing has been done for the turn then.
   */
  admit(signal?: AbortSignal): Promise<TurnSlot> {
    if (this.#running < this.limits.concurrency) {
      this.#running++;
      return Promise.resolve(this.#slot());
    }
    if (this.#waiting.length >= this.limits.queue) {
      throw new AppError(
        ErrorCode.UNAVAILABLE,
        "The tutor is answering as many questions as it can; ask again shortly",
        {
          headers: { "retry-after": String(this.limits.retryAfterSeconds) },
          details: { retryAfterSeconds: this.limits.retryAfterSeconds },
        },
      );
    }
    return new Promise<TurnSlot>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        if (signal.aborted) return reject(signal.reason);
        waiter.onAbort = () => {
          const at = this.#waiting.indexOf(waiter);
          if (at >= 0) this.#waiting.splice(at, 1);
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#waiting.push(waiter);
    });
  }

  #slot(): TurnSlot {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        // The slot passes straight to the longest waiter, so a newcomer cannot overtake the queue.
        const next = this.#waiting.shift();
        if (!next) {
          this.#running--;
          return;
        }
        if (next.onAbort) next.signal!.removeEventListener("abort", next.onAbort);
        next.resolve(this.#slot());
      },
    };
  }
}

/** The process's admission from its configuration (CHAT_TURNS_MAX, CHAT_TURN_QUEUE_MAX, CHAT_TURN_RETRY_AFTER_SECONDS). */
export function turnAdmissionFromEnv(env: ChatEnv): TurnAdmission {
  return new TurnAdmission({
    concurrency: env.CHAT_TURNS_MAX,
    queue: env.CHAT_TURN_QUEUE_MAX,
    retryAfterSeconds: env.CHAT_TURN_RETRY_AFTER_SECONDS,
  });
}

/**
 * Yields a turn's events, giving its slot up at the first one (a token, the citations, or the end): from there the
 * turn waits on the model, not on the database. Given up at the end too, whatever happens.
 */
export async function* releasedAtFirstEvent<T>(slot: TurnSlot, events: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    for await (const event of events) {
      slot.release();
      yield event;
    }
  } finally {
    slot.release();
  }
}
