import assert from "node:assert/strict";
import type { KvStore } from "../../shared/kv/interface.ts";
import { MemoryKv } from "../../shared/kv/memory.ts";
import { memoryLogger } from "../../shared/logger.ts";
import { assertLoginAllowed, clearLoginFailures, recordLoginFailure, slowDownSeconds } from "./throttle.ts";

const limits = { freeFailures: 3, maxDelaySeconds: 60, perIp: 1000, windowSeconds: 900 };

Deno.test("slowDownSeconds() is free at first, then doubles up to the cap", () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map((n) => slowDownSeconds(limits, n)),
    [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60],
  );
});

Deno.test("assertLoginAllowed() slows an account down after its free failures but never locks it", async () => {
  let now = 1_000_000;
  const kv = new MemoryKv({ now: () => now });
  const logger = memoryLogger();
  const who = { email: "prof@x.edu", ip: "10.1.1.1" };
  for (let i = 0; i < 12; i++) {
    await assertLoginAllowed(kv, logger, limits, who, now);
    await recordLoginFailure(kv, logger, limits, who, now);
    now += slowDownSeconds(limits, i + 1) * 1000; // an attacker waiting exactly as long as asked
  }
  // 12 failures: the next attempt waits the cap after the last failure, and not longer.
  now += 1;
  await assert.rejects(
    assertLoginAllowed(kv, logger, limits, { email: who.email, ip: "10.9.9.9" }, now - 1000),
    (err: { headers?: Record<string, string> }) => Number(err.headers?.["Retry-After"]) <= 60,
  );
  await assertLoginAllowed(kv, logger, limits, { email: who.email, ip: "10.9.9.9" }, now);
  // A device that signed in to the account before is never slowed down, even right after a failure.
  await recordLoginFailure(kv, logger, limits, who, now);
  await assertLoginAllowed(kv, logger, limits, { ...who, recognisedDevice: true }, now);
  await assert.rejects(assertLoginAllowed(kv, logger, limits, who, now), /try again in/);
  // Success clears the account's failures.
  await clearLoginFailures(kv, who.email);
  await assertLoginAllowed(kv, logger, limits, who, now);
});

Deno.test("assertLoginAllowed() counts only failures per IP and allows a campus NAT many of them", async () => {
  const kv = new MemoryKv();
  const logger = memoryLogger();
  const nat = "10.0.0.1";
  // Hundreds of students signing in from one address cost nothing: only failures are recorded.
  for (let i = 0; i < 500; i++) {
    await assertLoginAllowed(kv, logger, limits, { email: `s${i}@x.edu`, ip: nat });
  }
  for (let i = 0; i < limits.perIp - 1; i++) {
    await recordLoginFailure(kv, logger, limits, { email: `typo${i}@x.edu`, ip: nat });
  }
  await assertLoginAllowed(kv, logger, limits, { email: "someone@x.edu", ip: nat });
  await recordLoginFailure(kv, logger, limits, { email: "last@x.edu", ip: nat });
  await assert.rejects(
    assertLoginAllowed(kv, logger, limits, { email: "someone@x.edu", ip: nat }),
    /address/,
  );
  await assertLoginAllowed(kv, logger, limits, { email: "someone@x.edu", ip: "10.0.0.2" });
});

Deno.test("assertLoginAllowed() lets attempts through when the KV store is down, and says so in the log", async () => {
  const down: KvStore = {
    kind: "memory",
    get: () => Promise.reject(new Error("connection refused")),
    set: () => Promise.reject(new Error("connection refused")),
    del: () => Promise.reject(new Error("connection refused")),
    incr: () => Promise.reject(new Error("connection refused")),
    zadd: () => Promise.reject(new Error("connection refused")),
    zrangeByScore: () => Promise.reject(new Error("connection refused")),
    ping: () => Promise.reject(new Error("connection refused")),
  };
  const logger = memoryLogger();
  await assertLoginAllowed(down, logger, limits, { email: "a@x.edu", ip: "1.2.3.4" });
  await recordLoginFailure(down, logger, limits, { email: "a@x.edu", ip: "1.2.3.4" });
  assert.equal(logger.lines.filter((l) => l.level === "warn").length, 2);
});
