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
  /** Resolves when the store answers; throws with the reason when it does not. */
  ping(): Promise<void>;
}
