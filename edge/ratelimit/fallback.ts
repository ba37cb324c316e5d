import type { Logger } from "../../shared/logger.ts";
import type { RateLimitDecision, RateLimiter, RateLimitRule } from "./interface.ts";

/**
 * Uses the shared limiter and, when it fails (Redis down or slow), the in-process one: limits then hold per edge
 * process instead of globally, which is better than no limits and better than refusing traffic. The first failure
 * of an outage is logged as a warning and the recovery as info; every fallback decision is counted.
 */
export class FallbackRateLimiter implements RateLimiter {
  readonly kind: RateLimiter["kind"];
  #primary: RateLimiter;
  #fallback: RateLimiter;
  #logger: Logger;
  #onFallback: () => void;
  #degraded = false;

  constructor(
    primary: RateLimiter,
    fallback: RateLimiter,
    options: { logger: Logger; onFallback?: () => void },
  ) {
    this.kind = primary.kind;
    this.#primary = primary;
    this.#fallback = fallback;
    this.#logger = options.logger;
    this.#onFallback = options.onFallback ?? (() => {});
  }

  async limit(rule: RateLimitRule, identifier: string): Promise<RateLimitDecision> {
    try {
      const decision = await this.#primary.limit(rule, identifier);
      if (this.#degraded) {
        this.#degraded = false;
        this.#logger.info("rate limiting is shared again", { limiter: this.#primary.kind });
      }
      return decision;
    } catch (err) {
      if (!this.#degraded) {
        this.#degraded = true;
        this.#logger.warn("rate limiting fell back to in-process counters", {
          limiter: this.#primary.kind,
          reason: err instanceof Error ? err.message : String(err),
        });
      }
      this.#onFallback();
      return await this.#fallback.limit(rule, identifier);
    }
  }
}
