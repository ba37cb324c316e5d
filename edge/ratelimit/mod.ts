import type { KvStore } from "../../shared/kv/interface.ts";
import { UpstashKv } from "../../shared/kv/upstash.ts";
import type { Logger } from "../../shared/logger.ts";
import { FallbackRateLimiter } from "./fallback.ts";
import type { RateLimiter } from "./interface.ts";
import { MemoryRateLimiter } from "./memory.ts";
import { UpstashRateLimiter } from "./upstash.ts";

export type { RateLimitDecision, RateLimiter, RateLimitRule } from "./interface.ts";

/**
 * The one place the limiter is chosen: on Upstash when the KV store is Upstash (with the in-process limiter as
 * its fallback), else in-process.
 */
export function createRateLimiter(
  kv: KvStore,
  options: { logger: Logger; onFallback?: () => void },
): RateLimiter {
  if (kv instanceof UpstashKv) {
    return new FallbackRateLimiter(new UpstashRateLimiter(kv), new MemoryRateLimiter(), options);
  }
  return new MemoryRateLimiter();
}
