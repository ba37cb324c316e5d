import assert from "node:assert/strict";
import { Hono } from "hono";
import type { KvStore } from "../../shared/kv/interface.ts";
import { bumpScopeVersion, currentScopeVersion, formatCacheScope } from "../../shared/kv/cache_scope.ts";
import { openTestKv } from "../../shared/kv/testing.ts";
import { UpstashKv } from "../../shared/kv/upstash.ts";
import { edgeHarness, edgeTest } from "../testing_kv.ts";

const ANN = "11111111-1111-4111-8111-111111111111:STUDENT";
const BOB = "22222222-2222-4222-8222-222222222222:STUDENT";

/** Stand-in core routes giving exactly the cache headers of docs/edge-cache.md. */
function contractCore(kv: KvStore) {
  let faculties = 0;
  const app = new Hono();
  app.get("/v1/faculties", (c) => {
    const etag = 'W/"faculties-1"';
    const headers = { ETag: etag, "Cache-Control": "public, max-age=60" };
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
    return c.json({ faculties: ["Science", "Arts"], served: ++faculties }, 200, headers);
  });
  app.get("/v1/semesters", (c) => {
    const etag = '"sem-7"';
    const headers = { ETag: etag, "Cache-Control": "public, max-age=0" };
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
    return c.json({ semesters: ["2026-fall"] }, 200, headers);
  });
  app.get(
    "/v1/me",
    (c) => c.json({ who: c.req.header("x-test-user") }, 200, { "Cache-Control": "private, max-age=60" }),
  );
  app.get("/v1/audit", (c) => c.json({ n: 1 }, 200, { "Cache-Control": "no-store" }));
  app.get("/v1/greeting", (c) =>
    c.json({ lang: c.req.header("accept-language") }, 200, {
      "Cache-Control": "public, max-age=60",
      Vary: "Accept-Language",
    }));
  app.post("/v1/search", async (c) => {
    const { courseId, query } = await c.req.json();
    const scope = `course:${courseId}`;
    const version = await currentScopeVersion(kv, scope);
    return c.json({ courseId, query, version }, 200, {
      "Cache-Control": "public, max-age=600",
      "X-Cache-Scope": formatCacheScope({ [scope]: version }),
    });
  });
  return app;
}

function search(
  app: { request(path: string, init: RequestInit): Response | Promise<Response> },
  user: string | undefined,
  body: Record<string, unknown>,
) {
  return app.request("/api/v1/search", {
    method: "POST",
    headers: { "content-type": "application/json", ...(user ? { "x-test-user": user } : {}) },
    body: JSON.stringify(body),
  });
}

edgeTest("[edge] a public catalog GET is cached: MISS, then HIT with the same body without calling core", {
  upstream: contractCore,
}, async ({ appWithIdentity: app, upstreamCalls, metricsText }) => {
  const first = await app.request("/api/v1/faculties");
  assert.equal(first.status, 200);
  assert.equal(first.headers.get("x-cache"), "MISS");
  const body = await first.json();
  const second = await app.request("/api/v1/faculties");
  assert.equal(second.status, 200);
  assert.equal(second.headers.get("x-cache"), "HIT");
  assert.equal(second.headers.get("content-type"), "application/json");
  assert.equal(second.headers.get("etag"), 'W/"faculties-1"');
  assert.equal(second.headers.get("cache-control"), "public, max-age=60");
  assert.ok(second.headers.get("age") !== null);
  assert.ok(second.headers.get("x-request-id"));
  assert.deepEqual(await second.json(), body);
  const third = await app.request("/api/v1/faculties");
  assert.deepEqual(await third.json(), body, "a hot entry's body serves more than once");
  assert.equal(upstreamCalls.length, 1);
  const text = await metricsText();
  assert.match(text, /edge_cache_requests_total\{result="miss",service="edge"\} 1/);
  assert.match(text, /edge_cache_requests_total\{result="hit",service="edge"\} 2/);
});

edgeTest("[edge] If-None-Match matching the cached ETag gets 304 from the edge", {
  upstream: contractCore,
}, async ({ appWithIdentity: app, upstreamCalls }) => {
  await (await app.request("/api/v1/faculties")).body?.cancel();
  const res = await app.request("/api/v1/faculties", { headers: { "if-none-match": '"faculties-1"' } });
  assert.equal(res.status, 304);
  assert.equal(res.headers.get("x-cache"), "HIT");
  assert.equal(res.headers.get("etag"), 'W/"faculties-1"');
  assert.equal(await res.text(), "");
  assert.equal(upstreamCalls.length, 1);
});

edgeTest("[edge] a stale entry is revalidated with core by ETag and served from the edge on 304", {
  upstream: contractCore,
}, async ({ appWithIdentity: app, upstreamCalls }) => {
  const first = await app.request("/api/v1/semesters");
  assert.equal(first.headers.get("x-cache"), "MISS");
  await first.body?.cancel();
  const second = await app.request("/api/v1/semesters");
  assert.equal(second.status, 200);
  assert.equal(second.headers.get("x-cache"), "HIT");
  assert.deepEqual(await second.json(), { semesters: ["2026-fall"] });
  assert.equal(upstreamCalls.length, 2);
  assert.equal(upstreamCalls[1].headers.get("if-none-match"), '"sem-7"', "the edge asked core with its ETag");
});

edgeTest("[edge] private and no-store responses are never stored or shared between users", {
  upstream: contractCore,
}, async ({ appWithIdentity: app, upstreamCalls }) => {
  const ann = await app.request("/api/v1/me", { headers: { "x-test-user": ANN } });
  const bob = await app.request("/api/v1/me", { headers: { "x-test-user": BOB } });
  assert.equal(ann.headers.get("x-cache"), "MISS");
  // The edge remembers core answered this URL private, and no longer looks it up.
  assert.equal(bob.headers.get("x-cache"), "BYPASS");
  assert.deepEqual(await bob.json(), { who: BOB });
  await ann.body?.cancel();
  const outcomes = [];
  for (let i = 0; i < 2; i++) {
    const res = await app.request("/api/v1/audit");
    outcomes.push(res.headers.get("x-cache"));
    await res.body?.cancel();
  }
  assert.deepEqual(outcomes, ["MISS", "BYPASS"]);
  assert.equal(upstreamCalls.length, 4, "every request reached core");
});

edgeTest("[edge] Vary: a cached answer is served only to requests with the same varied header", {
  upstream: contractCore,
}, async ({ appWithIdentity: app }) => {
  const ask = (lang: string) => app.request("/api/v1/greeting", { headers: { "accept-language": lang } });
  assert.equal((await ask("ar")).headers.get("x-cache"), "MISS");
  assert.equal((await ask("ar")).headers.get("x-cache"), "HIT");
  const en = await ask("en");
  assert.equal(en.headers.get("x-cache"), "MISS");
  assert.deepEqual(await en.json(), { lang: "en" });
});

edgeTest("[edge] scoped search answers are served from the edge only to users core served that scope", {
  upstream: contractCore,
}, async ({ appWithIdentity: app, upstreamCalls }) => {
  const q = { courseId: "c1", query: "photosynthesis" };
  const miss = await search(app, ANN, q);
  assert.equal(miss.headers.get("x-cache"), "MISS");
  assert.equal(miss.headers.get("x-cache-scope"), null, "the scope header stays inside");
  assert.equal(miss.headers.get("cache-control"), "private, no-cache");
  const body = await miss.json();
  const hit = await search(app, ANN, q);
  assert.equal(hit.headers.get("x-cache"), "HIT");
  assert.equal(hit.headers.get("cache-control"), "private, no-cache");
  assert.deepEqual(await hit.json(), body);
  assert.equal(upstreamCalls.length, 1);
  // Bob was never served course c1 by core: core decides (it would refuse a non-member).
  const bob = await search(app, BOB, q);
  assert.equal(bob.headers.get("x-cache"), "MISS");
  await bob.body?.cancel();
  // Anonymous callers never get a scoped entry, and a different query is a different entry.
  assert.equal((await search(app, undefined, q)).headers.get("x-cache"), "MISS");
  assert.equal((await search(app, ANN, { ...q, query: "osmosis" })).headers.get("x-cache"), "MISS");
  assert.equal(upstreamCalls.length, 4);
});

edgeTest("[edge] a change to the course's documents is never masked by a cached answer", {
  upstream: contractCore,
}, async ({ appWithIdentity: app, kv }) => {
  const q = { courseId: "c2", query: "cells" };
  const before = await (await search(app, ANN, q)).json();
  assert.equal((await search(app, ANN, q)).headers.get("x-cache"), "HIT");
  await bumpScopeVersion(kv, "course:c2");
  const after = await search(app, ANN, q);
  assert.equal(after.headers.get("x-cache"), "MISS");
  assert.equal((await after.json()).version, before.version + 1);
  assert.equal((await search(app, ANN, q)).headers.get("x-cache"), "HIT");
});

edgeTest("[edge] requests the cache does not consider say X-Cache: BYPASS", {
  upstream: contractCore,
}, async ({ appWithIdentity: app }) => {
  const post = await app.request("/api/v1/chat/sessions", { method: "POST" });
  assert.equal(post.headers.get("x-cache"), "BYPASS");
  await post.body?.cancel();
  const noStore = await app.request("/api/v1/faculties", { headers: { "cache-control": "no-store" } });
  assert.equal(noStore.headers.get("x-cache"), "BYPASS");
  await noStore.body?.cancel();
});

edgeTest("[edge] with Redis down the cache is bypassed and catalog GETs still answer 200", {
  upstream: contractCore,
  redisDown: true,
}, async ({ appWithIdentity: app, kind, metricsText, upstreamCalls }) => {
  for (let i = 0; i < 3; i++) {
    const res = await app.request("/api/v1/faculties");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-cache"), kind === "upstash" ? "BYPASS" : i === 0 ? "MISS" : "HIT");
    await res.body?.cancel();
  }
  if (kind === "upstash") {
    assert.equal(upstreamCalls.length, 3);
    assert.match(await metricsText(), /edge_kv_fallback_total\{component="cache",service="edge"\} [1-9]/);
  }
});

Deno.test("[edge] an entry cached by one edge is a HIT on another edge sharing the Redis [upstash]", async () => {
  const test = await openTestKv("upstash");
  try {
    const kv = test.kv as UpstashKv;
    const first = edgeHarness("upstash", kv, { upstream: contractCore });
    // A second store object on the same Redis and prefix: nothing in-process is shared with the first edge.
    const otherKv = new UpstashKv({
      url: test.bridge!.url,
      token: test.bridge!.token,
      keyPrefix: kv.keyPrefix,
    });
    const second = edgeHarness("upstash", otherKv, { upstream: contractCore });
    const miss = await first.appWithIdentity.request("/api/v1/faculties");
    assert.equal(miss.headers.get("x-cache"), "MISS");
    const hit = await second.appWithIdentity.request("/api/v1/faculties");
    assert.equal(hit.headers.get("x-cache"), "HIT");
    assert.deepEqual(await hit.json(), await miss.json());
    assert.equal(second.upstreamCalls.length, 0);
  } finally {
    await test.close();
  }
});
