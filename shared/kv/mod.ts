import type { KvStore } from "./interface.ts";
import { MemoryKv } from "./memory.ts";

export type { KvStore } from "./interface.ts";
export { MemoryKv } from "./memory.ts";

/** What chooses the key-value store; the Upstash implementation adds its connection settings here. */
export interface KvConfig {
  kind?: "memory";
}

/**
 * The one place that picks the key-value store from configuration. Processes that must share revocations and
 * counters (dev runs edge and core in one process) build one store here and pass it to each tier.
 */
export function createKv(_config: KvConfig = {}): KvStore {
  return new MemoryKv();
}
