import assert from "node:assert/strict";
import { closedPortUrl, kvTest } from "./testing.ts";
import { createKv, KvUnavailableError, MemoryKv, UpstashKv } from "./mod.ts";
import { KvRevocationCheck, recordTokenRevocation, recordUserRevocation } from "./revocation.ts";
import { bumpScopeVersion, currentScopeVersion, formatCacheScope, parseCacheScope } from "./cache_scope.ts";
import { AppError, ErrorCode } from "../errors.ts";

kvTest("get returns what set stored, and null after del", async (kv) => {
  assert.equal(await kv.get("a"), null);
  await kv.set("a", "héllo ✓ 123");
  assert.equal(await kv.get("a"), "héllo ✓ 123");
  // Values stay strings even when they look like JSON or numbers.
  await kv.set("n", "123");
  assert.equal(await kv.get("n"), "123");
  await kv.set("j", '{"x":1}');
  assert.equal(await kv.get("j"), '{"x":1}');
  await kv.del("a");
  assert.equal(await kv.get("a"), null);
});

kvTest("set with ttlMs expires the value", async (kv) => {
  await kv.set("t", "v", { ttlMs: 60 });
  assert.equal(await kv.get("t"), "v");
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(await kv.get("t"), null);
});

kvTest("incr counts and applies ttlMs only when it creates the counter", async (kv) => {
  assert.equal(await kv.incr("c", { ttlMs: 150 }), 1);
  assert.equal(await kv.incr("c", { by: 4, ttlMs: 10_000 }), 5);
  await new Promise((r) => setTimeout(r, 220));
  // The first ttl still held: the counter is gone, not extended by the second call.
  assert.equal(await kv.get("c"), null);
  assert.equal(await kv.incr("plain"), 1);
  assert.equal(await kv.incr("plain"), 2);
});

kvTest(
  "zadd keeps one score per member and zrangeByScore lists members from a score up, lowest first",
  async (kv) => {
    assert.deepEqual(await kv.zrangeByScore("z", 0), []);
    await kv.zadd("z", 30, "c");
    await kv.zadd("z", 10, "a:1:x|y");
    await kv.zadd("z", 20, "b");
    await kv.zadd("z", 25, "a:1:x|y"); // a member added again takes the new score
    await kv.zadd("z", 1_765_000_000_123, "big");
    assert.deepEqual(await kv.zrangeByScore("z", 0), [
      { member: "b", score: 20 },
      { member: "a:1:x|y", score: 25 },
      { member: "c", score: 30 },
      { member: "big", score: 1_765_000_000_123 },
    ]);
    assert.deepEqual((await kv.zrangeByScore("z", 25)).map((e) => e.member), ["a:1:x|y", "c", "big"]);
    assert.deepEqual(await kv.zrangeByScore("z", 1_765_000_000_124), []);
  },
);

kvTest(
  "zadd with removeBelow drops lower scores (not equal ones) and ttlMs expires the whole set",
  async (kv) => {
    await kv.zadd("z", 10, "old");
    await kv.zadd("z", 20, "edge");
    await kv.zadd("z", 30, "new", { removeBelow: 20 });
    assert.deepEqual((await kv.zrangeByScore("z", 0)).map((e) => e.member), ["edge", "new"]);
    await kv.zadd("t", 1, "m", { ttlMs: 80 });
    assert.deepEqual((await kv.zrangeByScore("t", 0)).length, 1);
    await new Promise((r) => setTimeout(r, 160));
    assert.deepEqual(await kv.zrangeByScore("t", 0), []);
    // A later write sets the expiry again from its own time.
    await kv.zadd("t", 2, "n", { ttlMs: 60_000 });
    assert.deepEqual((await kv.zrangeByScore("t", 0)).map((e) => e.member), ["n"]);
  },
);

kvTest("ping resolves on a working store", async (kv) => {
  await kv.ping();
});

kvTest(
  "KvRevocationCheck sees a token id and a user revoked with the record functions, and not others",
  async (kv) => {
    const checks = new KvRevocationCheck(kv);
    const now = Date.now();
    const retainMs = 960_000;
    await recordTokenRevocation(kv, "jti-1", { expMs: now + 600_000, retainMs });
    await recordUserRevocation(kv, "user-1", { beforeMs: now, retainMs });
    const token = { jti: "jti-2", userId: "user-2", issuedAtMs: now - 1000 };
    assert.equal(await checks.isRevoked({ ...token, jti: "jti-1" }), true);
    assert.equal(await checks.isRevoked(token), false);
    assert.equal(await checks.isRevoked({ ...token, userId: "user-1" }), true, "issued before the cut-off");
    assert.equal(await checks.isRevoked({ ...token, userId: "user-1", issuedAtMs: now + 1 }), false);
  },
);

kvTest("a scope version is created on first read and bumped by a change", async (kv) => {
  const first = await currentScopeVersion(kv, "course:c1");
  assert.equal(await currentScopeVersion(kv, "course:c1"), first);
  assert.equal(await bumpScopeVersion(kv, "course:c1"), first + 1);
  assert.equal(await currentScopeVersion(kv, "course:c1"), first + 1);
});

Deno.test("X-Cache-Scope round-trips and malformed values are refused", () => {
  const header = formatCacheScope({ "course:abc-1": 3, "semester:s2": 1 });
  assert.equal(header, "course:abc-1@3, semester:s2@1");
  assert.deepEqual(parseCacheScope(header), { "course:abc-1": 3, "semester:s2": 1 });
  assert.equal(parseCacheScope("course:abc"), null);
  assert.equal(parseCacheScope("course:a@1, nonsense"), null);
  assert.equal(parseCacheScope(""), null);
});

Deno.test("createKv picks Upstash with URL and token, memory without, and refuses half a config", () => {
  assert.ok(createKv({}) instanceof MemoryKv);
  const kv = createKv({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1", UPSTASH_REDIS_REST_TOKEN: "t" });
  assert.ok(kv instanceof UpstashKv);
  assert.equal(kv.kind, "upstash");
  assert.throws(() => createKv({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1" }), /must be set together/);
});

Deno.test("UpstashKv on a closed port fails with KvUnavailableError, then fails fast while the breaker is open", async () => {
  let now = 1_000_000;
  const kv = new UpstashKv({ url: await closedPortUrl(), token: "t", retryAfterMs: 5000, now: () => now });
  await assert.rejects(kv.get("x"), KvUnavailableError);
  assert.equal(kv.available, false);
  const started = performance.now();
  await assert.rejects(kv.set("x", "1"), /recent failure/);
  assert.ok(performance.now() - started < 5, "an open breaker does not call Redis");
  now += 5001;
  assert.equal(kv.available, true);
  await assert.rejects(kv.ping(), KvUnavailableError);
});

Deno.test("KvRevocationCheck with Redis down fails closed (503 with Retry-After), never 'not revoked'", async () => {
  const kv = new UpstashKv({ url: await closedPortUrl(), token: "t" });
  await assert.rejects(
    new KvRevocationCheck(kv).isRevoked({ jti: "j", userId: "u", issuedAtMs: Date.now() }),
    (err) =>
      err instanceof AppError && err.code === ErrorCode.UNAVAILABLE && err.headers?.["Retry-After"] === "5",
  );
});

Deno.test("UpstashKv: one slow answer fails only its caller; timeouts in a row open the breaker", async () => {
  // A stand-in that speaks Upstash's REST protocol (one command, or a pipeline as the client auto-pipelines) and
  // answers late while `slow` is set.
  let slow = false;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.json();
    if (slow) await new Promise((r) => setTimeout(r, 400));
    const pipeline = new URL(req.url).pathname === "/pipeline";
    const result = (command: string[]) => ({ result: command[0].toLowerCase() === "zrange" ? [] : "v" });
    return Response.json(pipeline ? body.map(result) : result(body));
  });
  try {
    const kv = new UpstashKv({ url: `http://127.0.0.1:${server.addr.port}`, token: "t", timeoutMs: 100 });
    slow = true;
    await assert.rejects(kv.get("x"), KvUnavailableError);
    assert.equal(kv.available, true, "one timeout under load does not refuse everyone");
    slow = false;
    assert.equal(await kv.get("x"), "v");
    slow = true;
    for (let i = 0; i < 3; i++) await assert.rejects(kv.get("x"), KvUnavailableError);
    assert.equal(kv.available, false, "three timeouts in a row open the breaker");
    await assert.rejects(kv.get("x"), /recent failure/);
    // A background read may pass the open breaker and take longer than KV_TIMEOUT_MS (the revocation mirror).
    await assert.rejects(kv.zrangeByScore("z", 0), /recent failure/);
    await assert.rejects(kv.zrangeByScore("z", 0, { bypassBreaker: true }), /timeout/);
    assert.deepEqual(await kv.zrangeByScore("z", 0, { bypassBreaker: true, timeoutMs: 2000 }), []);
  } finally {
    await server.shutdown();
  }
});
