import assert from "node:assert/strict";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { deleteKeys, testKeyPrefix, testRedisUrl } from "../testing.ts";
import { startUpstashBridge, type UpstashBridge } from "./upstash_bridge.ts";

async function withBridge(fn: (bridge: UpstashBridge, prefix: string) => Promise<void>) {
  const bridge = await startUpstashBridge({ redisUrl: testRedisUrl, token: "secret-token" });
  const prefix = testKeyPrefix();
  try {
    await fn(bridge, prefix);
  } finally {
    await bridge.close();
    await deleteKeys(prefix);
  }
}

async function post(
  bridge: UpstashBridge,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(bridge.url + path, {
    method: "POST",
    headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get("content-type"), body: await res.json() };
}

const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

Deno.test("[bridge] POST / runs one command and answers {result}", async () => {
  await withBridge(async (bridge, p) => {
    assert.deepEqual((await post(bridge, "/", ["SET", `${p}k`, "v", "EX", 100])).body, { result: "OK" });
    const got = await post(bridge, "/", ["GET", `${p}k`]);
    assert.equal(got.status, 200);
    assert.equal(got.type, "application/json");
    assert.deepEqual(got.body, { result: "v" });
    assert.deepEqual((await post(bridge, "/", ["GET", `${p}missing`])).body, { result: null });
    assert.deepEqual((await post(bridge, "/", ["INCRBY", `${p}n`, 5])).body, { result: 5 });
  });
});

Deno.test("[bridge] Upstash-Encoding: base64 encodes every string, nested too, but not numbers, null or errors", async () => {
  await withBridge(async (bridge, p) => {
    const enc = { "upstash-encoding": "base64" };
    await post(bridge, "/", ["HSET", `${p}h`, "f", "é"]);
    assert.deepEqual((await post(bridge, "/", ["GET", `${p}none`], enc)).body, { result: null });
    assert.deepEqual((await post(bridge, "/", ["HGETALL", `${p}h`], enc)).body, {
      result: [b64("f"), b64("é")],
    });
    const script = "return {1, 'a', {2, 'b'}, false}";
    assert.deepEqual((await post(bridge, "/", ["EVAL", script, 0], enc)).body, {
      result: [1, b64("a"), [2, b64("b")], null],
    });
    const bad = await post(bridge, "/", ["INCR", `${p}h`], enc);
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /^WRONGTYPE/);
  });
});

Deno.test("[bridge] /pipeline answers one {result} or {error} per command", async () => {
  await withBridge(async (bridge, p) => {
    const res = await post(bridge, "/pipeline", [["SET", `${p}a`, "x"], ["INCR", `${p}a`], ["GET", `${p}a`]]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, [{ result: "OK" }, { error: "ERR value is not an integer or out of range" }, {
      result: "x",
    }]);
  });
});

Deno.test("[bridge] /multi-exec runs a transaction; a command refused while queueing aborts it with 400", async () => {
  await withBridge(async (bridge, p) => {
    const ok = await post(bridge, "/multi-exec", [["SET", `${p}m`, "1"], ["INCR", `${p}m`]]);
    assert.deepEqual(ok.body, [{ result: "OK" }, { result: 2 }]);
    const aborted = await post(bridge, "/multi-exec", [["SET", `${p}m2`, "1"], ["SET", `${p}m2`]]);
    assert.equal(aborted.status, 400);
    assert.match(aborted.body.error, /^EXECABORT.*wrong number of arguments/);
    assert.deepEqual((await post(bridge, "/", ["GET", `${p}m2`])).body, { result: null });
  });
});

Deno.test("[bridge] refuses a wrong or missing bearer token with 401 and a JSON body", async () => {
  await withBridge(async (bridge) => {
    for (const authorization of ["Bearer wrong", ""]) {
      const res = await fetch(bridge.url, { method: "POST", headers: { authorization }, body: '["PING"]' });
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { error: "Unauthorized" });
    }
  });
});

Deno.test("[bridge] bad bodies, refused commands and unknown paths get 4xx with a JSON error", async () => {
  await withBridge(async (bridge) => {
    assert.equal((await post(bridge, "/", { not: "a command" })).status, 400);
    assert.match((await post(bridge, "/", ["SUBSCRIBE", "ch"])).body.error, /not supported over REST/);
    assert.equal((await post(bridge, "/pipeline", [])).status, 400);
    const unknown = await post(bridge, "/nope", ["PING"]);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error, /unknown path/);
  });
});

Deno.test("[bridge] a #!lua flags shebang Redis 7.0 rejects is stripped, and EVALSHA of the original works", async () => {
  await withBridge(async (bridge) => {
    const script = "#!lua flags=allow-key-locking\nreturn ARGV[1]";
    assert.deepEqual((await post(bridge, "/", ["EVAL", script, 0, "hi"])).body, { result: "hi" });
    const sha = [...new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(script)))]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    assert.deepEqual((await post(bridge, "/", ["EVALSHA", sha, 0, "again"])).body, { result: "again" });
  });
});

Deno.test("[bridge] answers 503 with a JSON body when Redis is down", async () => {
  const bridge = await startUpstashBridge({ redisUrl: "redis://127.0.0.1:1", token: "t", onError: () => {} });
  try {
    const res = await post(bridge, "/", ["PING"]);
    assert.equal(res.status, 503);
    assert.match(res.body.error, /redis unavailable/);
  } finally {
    await bridge.close();
  }
});

Deno.test("[bridge] the real @upstash/redis client works through it: auto-pipelining, multi, JSON, scripts", async () => {
  await withBridge(async (bridge, p) => {
    const redis = new Redis({ url: bridge.url, token: bridge.token, enableTelemetry: false });
    // Issued in one tick: the client batches them into one /pipeline call.
    const [, , count] = await Promise.all([
      redis.set(`${p}json`, { a: 1, s: "ü" }),
      redis.hset(`${p}h`, { x: "1", y: "two" }),
      redis.incr(`${p}n`),
    ]);
    assert.equal(count, 1);
    // HGETALL is not auto-pipelined (the client sends it to "/" at once), so it is awaited after the writes.
    assert.deepEqual(await redis.hgetall(`${p}h`), { x: 1, y: "two" });
    assert.deepEqual(await redis.get(`${p}json`), { a: 1, s: "ü" });
    const tx = await redis.multi().set(`${p}t`, "v").get(`${p}t`).exec();
    assert.deepEqual(tx, ["OK", "v"]);
    const script = redis.createScript<string>("return ARGV[1]");
    assert.equal(await script.exec([], ["via evalsha"]), "via evalsha");
    await assert.rejects(redis.incr(`${p}h`), /WRONGTYPE/);
  });
});

Deno.test("[bridge] the real @upstash/ratelimit sliding window holds its limit through it", async () => {
  await withBridge(async (bridge, p) => {
    const redis = new Redis({ url: bridge.url, token: bridge.token, enableTelemetry: false });
    const limiter = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(3, "10 s"), prefix: `${p}rl` });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await limiter.limit("user-1"));
    assert.deepEqual(results.map((r) => r.success), [true, true, true, false, false]);
    assert.deepEqual(results.map((r) => r.remaining), [2, 1, 0, 0, 0]);
    assert.equal((await limiter.limit("user-2")).success, true);
  });
});
