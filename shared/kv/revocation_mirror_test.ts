import assert from "node:assert/strict";
import { AppError, ErrorCode } from "../errors.ts";
import type { KvStore } from "./interface.ts";
import { MemoryKv } from "./memory.ts";
import {
  parseRevocationMember,
  recordTokenRevocation,
  recordUserRevocation,
  REVOCATION_LOG_KEY,
  revocationMember,
} from "./revocation.ts";
import { REVOCATION_LOG_OVERLAP_MS, RevocationMirror } from "./revocation_mirror.ts";
import { kvTest } from "./testing.ts";

const retainMs = 960_000;

/** A store that counts every call by method name, passing it on. */
function counting(kv: KvStore): { kv: KvStore; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const wrapped = new Proxy(kv, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
        return value.apply(target, args);
      };
    },
  });
  return { kv: wrapped, calls };
}

function token(overrides: Partial<{ jti: string; userId: string; issuedAtMs: number }> = {}) {
  return {
    jti: crypto.randomUUID(),
    userId: crypto.randomUUID(),
    issuedAtMs: Date.now() - 1000,
    ...overrides,
  };
}

Deno.test("revocation log members round-trip, ids with any character included; unknown ones are skipped", () => {
  const jti = { kind: "jti" as const, jti: "a:b|c\nd", untilMs: 1_765_000_000_000 };
  const user = {
    kind: "user" as const,
    userId: "u:1",
    beforeMs: 1_764_000_000_000,
    untilMs: 1_765_000_000_000,
  };
  assert.deepEqual(parseRevocationMember(revocationMember(jti)), jti);
  assert.deepEqual(parseRevocationMember(revocationMember(user)), user);
  assert.equal(parseRevocationMember("x:from-a-newer-writer"), null);
});

kvTest(
  "RevocationMirror loads revocations written before it started and answers without a KV call",
  async (kv) => {
    const now = Date.now();
    const revokedToken = token();
    const revokedUser = crypto.randomUUID();
    await recordTokenRevocation(kv, revokedToken.jti, { expMs: now + 600_000, retainMs });
    await recordUserRevocation(kv, revokedUser, { beforeMs: now, retainMs });
    const counted = counting(kv);
    const mirror = new RevocationMirror({ kv: counted.kv, syncIntervalMs: 60_000, maxStalenessMs: 120_000 });
    assert.equal(await mirror.isRevoked(revokedToken), true);
    assert.equal(await mirror.isRevoked(token({ userId: revokedUser, issuedAtMs: now - 1 })), true);
    assert.equal(await mirror.isRevoked(token({ userId: revokedUser, issuedAtMs: now + 1 })), false);
    for (let i = 0; i < 100; i++) assert.equal(await mirror.isRevoked(token()), false);
    // One read (the initial load) for 103 checks; no per-check read of the plain keys.
    assert.deepEqual(counted.calls, { zrangeByScore: 1 });
  },
);

kvTest(
  "RevocationMirror picks up a revocation at the next sync, and a later cut-off replaces an earlier one",
  async (kv) => {
    let now = Date.now();
    const mirror = new RevocationMirror({ kv, syncIntervalMs: 1000, maxStalenessMs: 5000, now: () => now });
    const user = crypto.randomUUID();
    const old = token({ userId: user, issuedAtMs: now - 60_000 });
    const newer = token({ userId: user, issuedAtMs: now - 10_000 });
    assert.equal(await mirror.isRevoked(old), false);
    await recordUserRevocation(kv, user, { beforeMs: now - 30_000, retainMs, now });
    // Within the interval the copy answers as it was (the documented bound), and does not read.
    now += 500;
    assert.equal(await mirror.isRevoked(old), false);
    now += 600;
    // Past the interval a check starts a sync without waiting for it; the next check sees its result.
    await mirror.isRevoked(old);
    await mirror.sync();
    assert.equal(await mirror.isRevoked(old), true);
    assert.equal(await mirror.isRevoked(newer), false);
    await recordUserRevocation(kv, user, { beforeMs: now, retainMs, now });
    now += 1100;
    await mirror.sync();
    assert.equal(await mirror.isRevoked(newer), true);
  },
);

kvTest(
  "RevocationMirror sees an entry whose writer's clock trails the edge's (within the overlap)",
  async (kv) => {
    let now = Date.now();
    const mirror = new RevocationMirror({ kv, syncIntervalMs: 1000, maxStalenessMs: 5000, now: () => now });
    assert.ok(await mirror.sync());
    now += 1000;
    assert.ok(await mirror.sync());
    // Written after both syncs, but scored by a core clock 5 s behind.
    const revoked = token();
    await recordTokenRevocation(kv, revoked.jti, { expMs: now + 600_000, retainMs, now: now - 5000 });
    now += 1000;
    assert.ok(await mirror.sync());
    assert.equal(await mirror.isRevoked(revoked), true);
    assert.ok(5000 < REVOCATION_LOG_OVERLAP_MS);
  },
);

kvTest(
  "RevocationMirror keeps what it knew when the log comes back empty (a Redis restarted without data)",
  async (kv) => {
    let now = Date.now();
    const mirror = new RevocationMirror({ kv, syncIntervalMs: 1000, maxStalenessMs: 5000, now: () => now });
    const revoked = token();
    await recordTokenRevocation(kv, revoked.jti, { expMs: now + 600_000, retainMs, now });
    assert.equal(await mirror.isRevoked(revoked), true);
    await kv.del(REVOCATION_LOG_KEY);
    now += 2000;
    assert.ok(await mirror.sync());
    assert.equal(await mirror.isRevoked(revoked), true);
    // Until the token could no longer be used anyway (its expiry + 5 s of skew).
    now += 605_001;
    assert.ok(await mirror.sync());
    assert.deepEqual(mirror.size, { jtis: 0, users: 0 });
  },
);

kvTest("the log trims entries older than the retention when a revocation is written", async (kv) => {
  const now = Date.now();
  await recordUserRevocation(kv, "early", { beforeMs: now - 10_000, retainMs: 1000, now: now - 10_000 });
  await recordUserRevocation(kv, "late", { beforeMs: now, retainMs: 1000, now });
  const entries = await kv.zrangeByScore(REVOCATION_LOG_KEY, 0);
  assert.deepEqual(
    entries.map((e) => parseRevocationMember(e.member)?.kind === "user" && e.member.endsWith(":late")),
    [
      true,
    ],
  );
});

Deno.test("RevocationMirror fails closed: past maxStalenessMs with the KV down a check answers 503 with Retry-After", async () => {
  let now = 1_000_000;
  let down = false;
  const store = new MemoryKv();
  const kv: KvStore = Object.assign(Object.create(store), {
    zrangeByScore: (key: string, min: number) =>
      down ? Promise.reject(new Error("connection refused")) : store.zrangeByScore(key, min),
  });
  const failures: unknown[] = [];
  const mirror = new RevocationMirror({
    kv,
    syncIntervalMs: 1000,
    maxStalenessMs: 3000,
    now: () => now,
    onSyncFailure: (err) => failures.push(err),
  });
  assert.equal(await mirror.isRevoked(token()), false);
  down = true;
  now += 2500; // stale past the interval, within the bound: answered from memory, a sync tried in the background
  assert.equal(await mirror.isRevoked(token()), false);
  await mirror.sync();
  now += 1000; // 3.5 s since the last successful sync
  await assert.rejects(
    mirror.isRevoked(token()),
    (err) =>
      err instanceof AppError && err.code === ErrorCode.UNAVAILABLE && err.headers?.["Retry-After"] === "5",
  );
  assert.ok(failures.length >= 2);
  down = false;
  assert.equal(await mirror.isRevoked(token()), false, "answers again after one successful sync");
});

Deno.test("RevocationMirror: concurrent checks on a stale copy share one KV read", async () => {
  const counted = counting(new MemoryKv());
  const mirror = new RevocationMirror({ kv: counted.kv, syncIntervalMs: 1000, maxStalenessMs: 5000 });
  await Promise.all(Array.from({ length: 500 }, () => mirror.isRevoked(token())));
  assert.equal(counted.calls.zrangeByScore, 1);
});
