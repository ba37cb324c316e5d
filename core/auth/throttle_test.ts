import assert from "node:assert/strict";
import type { KvStore } from "../../shared/kv/interface.ts";
import { MemoryKv } from "../../shared/kv/memory.ts";
import { memoryLogger } from "../../shared/logger.ts";
import { assertLoginAllowed, clearLoginFailures, recordLoginFailure } from "./throttle.ts";

const limits = { perEmail: 2, perIp: 3, windowSeconds: 60 };

Deno.test("assertLoginAllowed() blocks at the limit and the window's expiry lifts it", async () => {
  let now = 1_000;
  const kv = new MemoryKv({ now: () => now });
  const logger = memoryLogger();
  const who = { email: "a@x.edu", ip: "10.1.1.1" };
  await recordLoginFailure(kv, logger, limits, who);
  await assertLoginAllowed(kv, logger, limits, who);
  await recordLoginFailure(kv, logger, limits, who);
  await assert.rejects(assertLoginAllowed(kv, logger, limits, who), /Too many failed/);
  await clearLoginFailures(kv, who.email);
  await assertLoginAllowed(kv, logger, limits, who);
  await recordLoginFailure(kv, logger, limits, { email: "b@x.edu", ip: who.ip });
  await assert.rejects(assertLoginAllowed(kv, logger, limits, { email: "c@x.edu", ip: who.ip }), /Too many/);
  now += 60_001;
  await assertLoginAllowed(kv, logger, limits, { email: "c@x.edu", ip: who.ip });
});

Deno.test("assertLoginAllowed() lets attempts through when the KV store is down, and says so in the log", async () => {
  const down: KvStore = {
    kind: "memory",
    get: () => Promise.reject(new Error("connection refused")),
    set: () => Promise.reject(new Error("connection refused")),
    del: () => Promise.reject(new Error("connection refused")),
    incr: () => Promise.reject(new Error("connection refused")),
    ping: () => Promise.reject(new Error("connection refused")),
  };
  const logger = memoryLogger();
  await assertLoginAllowed(down, logger, limits, { email: "a@x.edu", ip: "1.2.3.4" });
  await recordLoginFailure(down, logger, limits, { email: "a@x.edu", ip: "1.2.3.4" });
  assert.equal(logger.lines.filter((l) => l.level === "warn").length, 2);
});
