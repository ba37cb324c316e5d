/**
 * The key-value store behind revocation lists, rate-limit counters and edge caches. Implementations: Upstash Redis
 * over REST (production, shared by every edge and core process) and an in-process store (embedded default).
 */
export interface KvStore {
  /** Which implementation this is, for logs and metrics. */
  readonly kind: "memory" | "upstash";
  get(key: string): Promise<string | null>;
  /** Sets a value, optionally expiring after `ttlMs`. */
  set(key: string, value: string, options?: { ttlMs?: number }): Promise<void>;
  del(key: string): Promise<void>;
  /** Adds `by` (default 1) to a counter and returns the new value; `ttlMs` applies when the counter is created. */
  incr(key: string, options?: { by?: number; ttlMs?: number }): Promise<number>;
  /**
   * Adds `member` to the sorted set at `key` with `score` (an existing member gets the new score), then removes
   * every member scored below `removeBelow` and sets the set's expiry to `ttlMs` (both optional), in one call.
   */
  zadd(
    key: string,
    score: number,
    member: string,
    options?: { removeBelow?: number; ttlMs?: number },
  ): Promise<void>;
  /**
   * Members of the sorted set at `key` scored `min` or more, lowest score first (an empty list when it is absent).
   * `bypassBreaker`: call the store even while a circuit breaker holds other callers back (its failure still
   * counts), for a caller whose own rate is bounded (the revocation mirror, once a second per process).
   * `timeoutMs` replaces the store's per-call timeout (`KV_TIMEOUT_MS`) for a background read whose deadline is
   * not a request's.
   */
  zrangeByScore(
    key: string,
    min: number,
    options?: { bypassBreaker?: boolean; timeoutMs?: number },
  ): Promise<{ member: string; score: number }[]>;
  /** Resolves when the store answers; throws with the reason when it does not. */
  ping(): Promise<void>;
}
