/** One limit: at most `limit` requests per sliding `windowMs`, counted under `name` per identifier. */
export interface RateLimitRule {
  /** Counter namespace, e.g. "ip", "chat", "login_email". */
  name: string;
  limit: number;
  windowMs: number;
}

/** The outcome of counting one request against a rule. */
export interface RateLimitDecision {
  success: boolean;
  limit: number;
  remaining: number;
  /** When the current window ends (epoch ms). */
  resetAt: number;
}

/**
 * Sliding-window rate limiter (two fixed windows, the previous one weighted by how much of it still overlaps, as
 * `@upstash/ratelimit` does). Implementations: Upstash Redis (shared by every edge process) and in-process.
 */
export interface RateLimiter {
  readonly kind: "memory" | "upstash";
  /** Counts one request of `identifier` against `rule`; throws only when the backing store fails. */
  limit(rule: RateLimitRule, identifier: string): Promise<RateLimitDecision>;
}
