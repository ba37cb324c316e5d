/**
 * Test KV stores. KV-facing tests run on both implementations: the in-process store, and Upstash through the REST
 * bridge (shared/kv/testing/upstash_bridge.ts) to the machine's real Redis (`REDIS_URL`, default redis://127.0.0.1:6379), each
 * run under its own key prefix, removed afterwards.
 */
import { Redis as IoRedis } from "ioredis";
import { startUpstashBridge, type UpstashBridge } from "./testing/upstash_bridge.ts";
import type { KvStore } from "./interface.ts";
import { MemoryKv } from "./memory.ts";
import { UpstashKv } from "./upstash.ts";

/** The machine's Redis. */
export const testRedisUrl = Deno.env.get("REDIS_URL") || "redis://127.0.0.1:6379";

/** The implementations every KV-facing test runs on. */
export const testKvKinds = ["memory", "upstash"] as const;
/** One of the implementations under test. */
export type TestKvKind = typeof testKvKinds[number];

/** A test KV store and how to dispose of it. */
export interface TestKv {
  kv: KvStore;
  /** The bridge serving it (upstash only). */
  bridge?: UpstashBridge;
  close(): Promise<void>;
}

/** A fresh key prefix, unique to one test. */
export function testKeyPrefix(): string {
  return `test:${crypto.randomUUID().slice(0, 12)}:`;
}

/** Opens a KV store of this kind; Upstash ones get their own bridge and key prefix. */
export async function openTestKv(
  kind: TestKvKind,
  options: { keyPrefix?: string; timeoutMs?: number; retryAfterMs?: number } = {},
): Promise<TestKv> {
  if (kind === "memory") return { kv: new MemoryKv(), close: () => Promise.resolve() };
  const bridge = await startUpstashBridge({ redisUrl: testRedisUrl, token: crypto.randomUUID() });
  const keyPrefix = options.keyPrefix ?? testKeyPrefix();
  const kv = new UpstashKv({ url: bridge.url, token: bridge.token, keyPrefix, ...options });
  return {
    kv,
    bridge,
    close: async () => {
      await bridge.close();
      await deleteKeys(keyPrefix);
    },
  };
}

/** Deletes every key under a prefix in the machine's Redis. */
export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new IoRedis(testRedisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/** Registers one test per KV implementation (`name [memory]`, `name [upstash]`). */
export function kvTest(name: string, fn: (kv: KvStore, kind: TestKvKind) => Promise<void>): void {
  for (const kind of testKvKinds) {
    Deno.test(`${name} [${kind}]`, async () => {
      const test = await openTestKv(kind);
      try {
        await fn(test.kv, kind);
      } finally {
        await test.close();
      }
    });
  }
}

/** A URL where nothing listens: a Redis that is down. */
export async function closedPortUrl(): Promise<string> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  await Promise.resolve();
  return `http://127.0.0.1:${port}`;
}
