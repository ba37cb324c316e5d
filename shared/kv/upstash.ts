import { Redis } from "@upstash/redis";
import type { KvStore } from "./interface.ts";

/** Raised instead of calling Redis while it is known to be down, and for any failed call to it. */
export class KvUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KvUnavailableError";
  }
}

/** How to reach Upstash (or the local bridge) and how long to wait for it. */
export interface UpstashKvOptions {
  url: string;
  token: string;
  /** Prepended to every key, so several apps or test runs can share one Redis. */
  keyPrefix?: string;
  /** Time allowed for one call before Redis counts as down. */
  timeoutMs?: number;
  /** After a failure, calls fail fast for this long before Redis is tried again. */
  retryAfterMs?: number;
  /**
   * Timed-out calls in a row that open the breaker (default 3). A refused or broken call opens it at once; a
   * timeout alone may be one slow answer on a saturated machine, and opening on it would refuse every caller.
   */
  timeoutsToOpen?: number;
  now?: () => number;
}

/**
 * KvStore on Upstash Redis over REST: what regional edges use, shared by every edge and core process. A small
 * circuit breaker sits in front: after a failed call (a refusal or error at once; timeouts once `timeoutsToOpen`
 * of them come in a row) the store answers `KvUnavailableError` at once for `retryAfterMs`, so a dead Redis costs
 * callers one timeout, not one per request, while one slow answer under load fails only its own caller. Callers
 * decide what a failure means (caches bypass, rate limits fall back, revocation follows its policy).
 */
export class UpstashKv implements KvStore {
  readonly kind = "upstash" as const;
  /** The client, for libraries that take one (`@upstash/ratelimit`). Calls through it bypass the breaker. */
  readonly redis: Redis;
  readonly keyPrefix: string;
  #retryAfterMs: number;
  #timeoutsToOpen: number;
  #now: () => number;
  #downUntil = 0;
  #timeoutsInARow = 0;

  constructor(options: UpstashKvOptions) {
    const timeoutMs = options.timeoutMs ?? 1000;
    this.keyPrefix = options.keyPrefix ?? "";
    this.#retryAfterMs = options.retryAfterMs ?? 5000;
    this.#timeoutsToOpen = Math.max(1, options.timeoutsToOpen ?? 3);
    this.#now = options.now ?? Date.now;
    this.#connection = { url: options.url, token: options.token };
    this.redis = this.#client(timeoutMs);
  }

  #connection: { url: string; token: string };
  #clients = new Map<number, Redis>();

  /** A client whose calls time out after `timeoutMs` (one per distinct timeout; they share nothing but config). */
  #client(timeoutMs: number): Redis {
    let client = this.#clients.get(timeoutMs);
    if (client) return client;
    client = new Redis({
      url: this.#connection.url,
      token: this.#connection.token,
      // Values are opaque strings: without this the client would JSON-parse "123" into a number.
      automaticDeserialization: false,
      enableTelemetry: false,
      // One quick retry for a network blip; the breaker handles a real outage.
      retry: { retries: 1, backoff: () => 20 },
      // A function, so each request gets a fresh timeout and an abort throws (a static signal makes the client
      // return "Aborted" as if it were the result).
      signal: () => AbortSignal.timeout(timeoutMs),
    });
    this.#clients.set(timeoutMs, client);
    return client;
  }

  /** False while the breaker is open (Redis failed recently). */
  get available(): boolean {
    return this.#now() >= this.#downUntil;
  }

  /**
   * Runs a call to Redis through the breaker; any failure opens it and surfaces as `KvUnavailableError`.
   * `bypassBreaker` makes the call even while the breaker is open (a success does not close it early).
   */
  async guard<T>(call: () => Promise<T>, options: { bypassBreaker?: boolean } = {}): Promise<T> {
    if (!options.bypassBreaker && !this.available) {
      throw new KvUnavailableError("Redis is unavailable (recent failure)");
    }
    try {
      const result = await call();
      this.#timeoutsInARow = 0;
      return result;
    } catch (err) {
      const timedOut = err instanceof Error && err.name === "TimeoutError";
      this.#timeoutsInARow = timedOut ? this.#timeoutsInARow + 1 : 0;
      if (!timedOut || this.#timeoutsInARow >= this.#timeoutsToOpen) {
        this.#downUntil = this.#now() + this.#retryAfterMs;
        this.#timeoutsInARow = 0;
      }
      throw new KvUnavailableError(`Redis call failed: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
  }

  get(key: string): Promise<string | null> {
    return this.guard(() => this.redis.get<string>(this.keyPrefix + key));
  }

  async set(key: string, value: string, options: { ttlMs?: number } = {}): Promise<void> {
    const k = this.keyPrefix + key;
    await this.guard(() =>
      options.ttlMs ? this.redis.set(k, value, { px: options.ttlMs }) : this.redis.set(k, value)
    );
  }

  async del(key: string): Promise<void> {
    await this.guard(() => this.redis.del(this.keyPrefix + key));
  }

  async incr(key: string, options: { by?: number; ttlMs?: number } = {}): Promise<number> {
    const k = this.keyPrefix + key;
    const by = options.by ?? 1;
    if (!options.ttlMs) return await this.guard(() => this.redis.incrby(k, by));
    const ttlMs = options.ttlMs;
    // One transaction: the expiry is set only by whoever creates the counter, and never left off.
    const [, value] = await this.guard(() =>
      this.redis.multi().set(k, 0, { px: ttlMs, nx: true }).incrby(k, by).exec<[unknown, number]>()
    );
    return value;
  }

  async zadd(
    key: string,
    score: number,
    member: string,
    options: { removeBelow?: number; ttlMs?: number } = {},
  ): Promise<void> {
    const k = this.keyPrefix + key;
    const { removeBelow, ttlMs } = options;
    if (removeBelow === undefined && !ttlMs) {
      await this.guard(() => this.redis.zadd(k, { score, member }));
      return;
    }
    // One transaction, one round trip: the add, the trim and the expiry are never left half done.
    await this.guard(() => {
      const tx = this.redis.multi().zadd(k, { score, member });
      // "(" makes the bound exclusive: members scored exactly `removeBelow` stay.
      if (removeBelow !== undefined) tx.zremrangebyscore(k, "-inf", `(${removeBelow}`);
      if (ttlMs) tx.pexpire(k, ttlMs);
      return tx.exec();
    });
  }

  async zrangeByScore(
    key: string,
    min: number,
    options: { bypassBreaker?: boolean; timeoutMs?: number } = {},
  ): Promise<{ member: string; score: number }[]> {
    const redis = options.timeoutMs ? this.#client(options.timeoutMs) : this.redis;
    const flat = await this.guard(
      () =>
        redis.zrange<string[]>(this.keyPrefix + key, min, "+inf" as unknown as number, {
          byScore: true,
          withScores: true,
        }),
      options,
    );
    const found: { member: string; score: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      found.push({ member: String(flat[i]), score: Number(flat[i + 1]) });
    }
    return found;
  }

  async ping(): Promise<void> {
    // Bypasses the breaker's fast path: readiness wants the truth now, and success closes the breaker.
    this.#downUntil = 0;
    const answer = await this.guard(() => this.redis.ping());
    if (answer !== "PONG") throw new KvUnavailableError(`Redis answered ${JSON.stringify(answer)} to PING`);
  }
}
