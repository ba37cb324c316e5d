import assert from "node:assert/strict";
import { Hono } from "hono";
import { parseEnv } from "../shared/env.ts";
import { memoryLogger } from "../shared/logger.ts";
import { MemoryKv } from "../shared/kv/memory.ts";
import { createEdgeApp } from "./app.ts";
import { edgeEnvSchema } from "./env.ts";
import { buildEdgeServices } from "./main.ts";

/** A stand-in core that echoes what reached it, called in-process through the edge's injectable fetch. */
function echoCore() {
  const core = new Hono();
  core.get("/v1/version", () => new Promise<Response>(() => {}));
  core.all("/v1/*", async (c) => {
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((v, k) => headers[k] = v);
    return c.json(
      { method: c.req.method, path: c.req.path, query: c.req.query(), headers, body: await c.req.text() },
      200,
      {
        "x-core": "yes",
        "keep-alive": "timeout=5",
      },
    );
  });
  return core;
}

function build(fetchImpl: typeof fetch, env: Record<string, string> = {}) {
  const parsed = parseEnv(edgeEnvSchema, {
    CORE_URL: "http://core.internal:8081",
    CORE_TIMEOUT_MS: "200",
    ...env,
  });
  return createEdgeApp({
    ...buildEdgeServices(parsed, { kv: new MemoryKv(), fetch: fetchImpl }),
    logger: memoryLogger("edge"),
  });
}

/** Calls an app in-process like `fetch` would, including rejecting when the caller aborts. */
const viaApp = (app: Hono) =>
  ((input: RequestInfo | URL, init?: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
      Promise.resolve(app.fetch(new Request(input, init))).then(resolve, reject);
    })) as typeof fetch;

Deno.test("[edge] /api/v1/* is forwarded to core /v1/* with the request id, query and body", async () => {
  const edge = build(viaApp(echoCore()));
  const res = await edge.request("/api/v1/auth/register?x=1", {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": "client-made-up" },
    body: '{"a":1}',
  });
  assert.equal(res.status, 200);
  const seen = await res.json();
  assert.equal(seen.path, "/v1/auth/register");
  assert.deepEqual(seen.query, { x: "1" });
  assert.equal(seen.body, '{"a":1}');
  const id = res.headers.get("x-request-id");
  assert.ok(id && id !== "client-made-up", "an untrusted client's request id is not adopted");
  assert.equal(seen.headers["x-request-id"], id);
  assert.equal(res.headers.get("x-core"), "yes");
});

Deno.test("[edge] hop-by-hop headers are dropped both ways and the client address is forwarded", async () => {
  const edge = build(viaApp(echoCore()));
  const res = await edge.request("/api/v1/auth/register", {
    method: "POST",
    headers: {
      connection: "x-private-hop",
      "x-private-hop": "secret",
      "proxy-authorization": "Basic abc",
      "x-forwarded-for": "6.6.6.6",
      "x-kept": "yes",
    },
  });
  const seen = await res.json();
  assert.equal(seen.headers["x-private-hop"], undefined);
  assert.equal(seen.headers["proxy-authorization"], undefined);
  assert.equal(seen.headers["x-kept"], "yes");
  assert.notEqual(seen.headers["x-forwarded-for"], "6.6.6.6", "a client cannot spoof its address");
  assert.equal(res.headers.get("keep-alive"), null);
});

Deno.test("[edge] behind a trusted proxy the hop it saw (the last X-Forwarded-For) and X-Request-ID are adopted", async () => {
  const edge = build(viaApp(echoCore()), { TRUST_PROXY: "true" });
  // A client sent "6.6.6.6" itself; the proxy appended the address it saw.
  const res = await edge.request("/api/v1/auth/register", {
    method: "POST",
    headers: { "x-forwarded-for": "6.6.6.6, 203.0.113.9", "x-request-id": "nginx-42" },
  });
  const seen = await res.json();
  assert.equal(seen.headers["x-forwarded-for"], "203.0.113.9");
  assert.equal(res.headers.get("x-request-id"), "nginx-42");
});

Deno.test("[edge] core unreachable is 502 and core too slow is 504, in the one error shape", async () => {
  const down = build(() => Promise.reject(new TypeError("connection refused")));
  const res = await down.request("/api/v1/version");
  assert.equal(res.status, 502);
  const body = await res.json();
  assert.equal(body.error.code, "BAD_GATEWAY");
  assert.equal(body.error.requestId, res.headers.get("x-request-id"));

  const slow = build(viaApp(echoCore()));
  const timedOut = await slow.request("/api/v1/version");
  assert.equal(timedOut.status, 504);
  assert.equal((await timedOut.json()).error.code, "TIMEOUT");
});

Deno.test("[edge] /readyz reports core reachability", async () => {
  const up = build(viaApp(new Hono().get("/healthz", (c) => c.json({ ok: true }))));
  assert.equal((await up.request("/readyz")).status, 200);
  const down = build(() => Promise.reject(new TypeError("connection refused")));
  const res = await down.request("/readyz");
  assert.equal(res.status, 503);
  assert.match((await res.json()).error.message, /core/);
});

Deno.test("[edge] /metrics on the client-facing port needs the configured bearer token, and is absent without one", async () => {
  const core = echoCore();
  const fetchCore =
    ((input: RequestInfo | URL, init?: RequestInit) => core.fetch(new Request(input, init))) as typeof fetch;
  const open = build(fetchCore);
  const absent = await open.request("/metrics");
  assert.equal(absent.status, 404);
  assert.doesNotMatch(await absent.text(), /http_requests_total/);

  const token = "metrics-token-".padEnd(40, "m");
  const guarded = build(fetchCore, { METRICS_TOKEN: token });
  const none = await guarded.request("/metrics");
  assert.equal(none.status, 401);
  assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
  assert.doesNotMatch(await none.text(), /http_requests_total/);
  const wrong = await guarded.request("/metrics", { headers: { authorization: `Bearer ${token}x` } });
  assert.equal(wrong.status, 401);
  await wrong.body?.cancel();
  const ok = await guarded.request("/metrics", { headers: { authorization: `Bearer ${token}` } });
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /http_requests_total/);
});

Deno.test("[edge] the core timeout bounds core's headers only: a stream that outlasts it is forwarded whole", async () => {
  // A real core on a real port (the runtime's fetch ties a response body to its request's signal, which an
  // in-process stand-in would not show): headers at once, then a chunk every 100 ms for 600 ms, three times the
  // edge's CORE_TIMEOUT_MS.
  const core = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, () => {
    const encoder = new TextEncoder();
    let n = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((r) => setTimeout(r, 100));
        if (n++ < 6) controller.enqueue(encoder.encode(`event: token\ndata: {"n":${n}}\n\n`));
        else controller.close();
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  });
  try {
    const edge = build(fetch, { CORE_URL: `http://127.0.0.1:${core.addr.port}`, CORE_TIMEOUT_MS: "200" });
    const res = await edge.request("/api/v1/version");
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.equal(text.match(/event: token/g)?.length, 6);
  } finally {
    await core.shutdown();
  }
});
