import type { RateLimitDecision, RateLimiter, RateLimitRule } from "./interface.ts";

interface Counter {
  window: number;
  current: number;
  previous: number;
}

/**
 * In-process sliding-window limiter with the same arithmetic as `@upstash/ratelimit`'s `slidingWindow`: the
 * embedded default, and the fallback when Redis is down (then each edge process counts on its own).
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly kind = "memory" as const;
  #counters = new Map<string, Counter>();
  #now: () => number;
  #calls = 0;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  limit(rule: RateLimitRule, identifier: string): Promise<RateLimitDecision> {
    const now = this.#now();
    const window = Math.floor(now / rule.windowMs);
    const key = `${rule.name}:${rule.windowMs}:${identifier}`;
    let counter = this.#counters.get(key);
    if (!counter || counter.window < window - 1) counter = { window, current: 0, previous: 0 };
    else if (counter.window === window - 1) counter = { window, current: 0, previous: counter.current };
    this.#counters.set(key, counter);
    this.#sweep(now);
    const weighted = Math.floor((1 - (now % rule.windowMs) / rule.windowMs) * counter.previous);
    const resetAt = (window + 1) * rule.windowMs;
    if (weighted + counter.current >= rule.limit) {
      return Promise.resolve({ success: false, limit: rule.limit, remaining: 0, resetAt });
    }
    counter.current += 1;
    const remaining = Math.max(0, rule.limit - weighted - counter.current);
    return Promise.resolve({ success: true, limit: rule.limit, remaining, resetAt });
  }

  /** Drops counters idle for two windows now and then, so memory follows active clients only. */
  #sweep(now: number) {
    if (++this.#calls % 1000 !== 0) return;
    for (const [key, c] of this.#counters) {
      const windowMs = Number(key.split(":")[1]);
      if (c.window < Math.floor(now / windowMs) - 1) this.#counters.delete(key);
    }
  }
}
