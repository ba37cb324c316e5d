import { z } from "zod";
import { envTypes } from "../env.ts";
import type { KvStore } from "./interface.ts";
import { MemoryKv } from "./memory.ts";
import { UpstashKv } from "./upstash.ts";

export type { KvStore } from "./interface.ts";
export { MemoryKv } from "./memory.ts";
export { KvUnavailableError, UpstashKv } from "./upstash.ts";

/** Env fields of the KV store, to spread into a tier's env schema (see docs/kv.md). */
export const kvEnvFields = {
  /** Upstash REST endpoint (or the local bridge); with the token, selects Upstash. Unset: in-process store. */
  UPSTASH_REDIS_REST_URL: z.url().optional(),
  UPSTASH_REDIS_REST_TOKEN: z.string().optional(),
  /** Prepended to every key, so several deployments can share one Redis. */
  KV_KEY_PREFIX: z.string().default("ait:"),
  /** Time allowed for one KV call before Redis counts as down. */
  KV_TIMEOUT_MS: envTypes.int(1000, 10),
  /** After a KV failure, how long callers skip Redis (fallbacks apply) before it is tried again. */
  KV_RETRY_AFTER_MS: envTypes.int(5000, 0),
};

/** What picks and configures the KV store (the fields of an env schema). */
export interface KvConfig {
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  KV_KEY_PREFIX?: string;
  KV_TIMEOUT_MS?: number;
  KV_RETRY_AFTER_MS?: number;
}

/** The one place the KV implementation is chosen: Upstash when both its URL and token are set, else in-process. */
export function createKv(config: KvConfig = {}): KvStore {
  const url = config.UPSTASH_REDIS_REST_URL;
  const token = config.UPSTASH_REDIS_REST_TOKEN;
  if (url && token) {
    return new UpstashKv({
      url,
      token,
      keyPrefix: config.KV_KEY_PREFIX ?? "",
      timeoutMs: config.KV_TIMEOUT_MS,
      retryAfterMs: config.KV_RETRY_AFTER_MS,
    });
  }
  if (url || token) {
    throw new Error("UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN must be set together");
  }
  return new MemoryKv();
}
