import { Ratelimit } from "@upstash/ratelimit";
import type { UpstashKv } from "../../shared/kv/upstash.ts";
import type { RateLimitDecision, RateLimiter, RateLimitRule } from "./interface.ts";

/**
 * Rate limiter on Upstash Redis through `@upstash/ratelimit` (sliding window), so limits hold across every edge
 * process sharing the Redis. Calls go through the KV's circuit breaker: while Redis is down this throws at once
 * and the caller falls back (see `FallbackRateLimiter`).
 */
export class UpstashRateLimiter implements RateLimiter {
  readonly kind = "upstash" as const;
  #kv: UpstashKv;
  #limiters = new Map<string, Ratelimit>();

  constructor(kv: UpstashKv) {
    this.#kv = kv;
  }

  async limit(rule: RateLimitRule, identifier: string): Promise<RateLimitDecision> {
    const result = await this.#kv.guard(() => this.#limiterFor(rule).limit(identifier));
    return {
      success: result.success,
      limit: result.limit,
      remaining: result.remaining,
      resetAt: result.reset,
    };
  }

  #limiterFor(rule: RateLimitRule): Ratelimit {
    const id = `${rule.name}|${rule.limit}|${rule.windowMs}`;
    let limiter = this.#limiters.get(id);
    if (!limiter) {
      limiter = new Ratelimit({
        redis: this.#kv.redis,
        limiter: Ratelimit.slidingWindow(rule.limit, `${rule.windowMs} ms`),
        // The window is in the prefix so a rule whose window changes starts fresh instead of misreading counters.
        prefix: `${this.#kv.keyPrefix}rl:${rule.name}:${rule.windowMs}`,
        // No library timeout: it would answer "allowed" after 5 s. The Redis client's own timeout throws instead,
        // which the breaker and the in-process fallback handle.
        timeout: 0,
        analytics: false,
      });
      this.#limiters.set(id, limiter);
    }
    return limiter;
  }
}
