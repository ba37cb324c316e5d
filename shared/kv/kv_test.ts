import assert from "node:assert/strict";
import { closedPortUrl, kvTest } from "./testing.ts";
import { createKv, KvUnavailableError, MemoryKv, UpstashKv } from "./mod.ts";
import { isRevoked, revokeToken } from "./revocation.ts";
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

kvTest("ping resolves on a working store", async (kv) => {
  await kv.ping();
});

kvTest("isRevoked sees a token revoked with revokeToken, and not others", async (kv) => {
  await revokeToken(kv, "jti-1", { exp: Math.floor(Date.now() / 1000) + 600 });
  assert.equal(await isRevoked(kv, "jti-1", { failClosed: true }), true);
  assert.equal(await isRevoked(kv, "jti-2", { failClosed: true }), false);
});

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

Deno.test("isRevoked with Redis down fails closed (503) for admin routes and open elsewhere", async () => {
  const kv = new UpstashKv({ url: await closedPortUrl(), token: "t" });
  const failures: unknown[] = [];
  await assert.rejects(
    isRevoked(kv, "j", { failClosed: true, onFailure: (e) => failures.push(e) }),
    (err) =>
      err instanceof AppError && err.code === ErrorCode.UNAVAILABLE && err.headers?.["Retry-After"] === "5",
  );
  assert.equal(await isRevoked(kv, "j", { failClosed: false, onFailure: (e) => failures.push(e) }), false);
  assert.equal(failures.length, 2);
});

Deno.test("UpstashKv: one slow answer fails only its caller; timeouts in a row open the breaker", async () => {
  // A stand-in that speaks Upstash's REST protocol (one command, or a pipeline as the client auto-pipelines) and
  // answers late while `slow` is set.
  let slow = false;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.json();
    if (slow) await new Promise((r) => setTimeout(r, 400));
    const pipeline = new URL(req.url).pathname === "/pipeline";
    return Response.json(pipeline ? body.map(() => ({ result: "v" })) : { result: "v" });
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
  } finally {
    await server.shutdown();
  }
});
