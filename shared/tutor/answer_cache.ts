import type { KvStore } from "../kv/interface.ts";
import { ANSWER_CACHE_TTL_MS } from "./cache_key.ts";
import type { StepLog } from "./steps.ts";
import type { Citation } from "./types.ts";

/** What the answer cache holds per key. */
export interface CachedAnswer {
  answer: string;
  citations: Citation[];
  model: string;
}

/**
 * Reads a cached answer. The cache is an optimisation: when the store fails, the turn goes on without it (logged as
 * step outcome "unavailable") rather than failing the student's question.
 */
export async function lookupAnswer(
  cache: KvStore,
  key: string,
  steps: StepLog,
): Promise<CachedAnswer | null> {
  const started = performance.now();
  try {
    const hit = await cache.get(key);
    steps.record({ step: "cache", durationMs: since(started), outcome: hit ? "hit" : "miss" });
    return hit ? JSON.parse(hit) as CachedAnswer : null;
  } catch (error) {
    steps.record({
      step: "cache",
      durationMs: since(started),
      outcome: "unavailable",
      reason: String(error),
    });
    return null;
  }
}

/** Stores a final answer for 24 hours; a failing store is logged and ignored, like a failing lookup. */
export async function storeAnswer(
  cache: KvStore,
  key: string,
  value: CachedAnswer,
  steps: StepLog,
): Promise<void> {
  const started = performance.now();
  try {
    await cache.set(key, JSON.stringify(value), { ttlMs: ANSWER_CACHE_TTL_MS });
    steps.record({ step: "cache_store", durationMs: since(started), outcome: "stored" });
  } catch (error) {
    steps.record({
      step: "cache_store",
      durationMs: since(started),
      outcome: "unavailable",
      reason: String(error),
    });
  }
}

function since(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
