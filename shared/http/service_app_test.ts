import assert from "node:assert/strict";
import { createRoute, z } from "@hono/zod-openapi";
import { AppError, ErrorCode } from "../errors.ts";
import { memoryLogger } from "../logger.ts";
import { createMetrics } from "../metrics.ts";
import { createServiceApp, type ReadinessCheck } from "./service_app.ts";

function build(readiness: Record<string, ReadinessCheck> = {}) {
  const logger = memoryLogger("svc");
  const app = createServiceApp({
    service: "svc",
    logger,
    metrics: createMetrics("svc"),
    trustRequestId: true,
    bodyLimitBytes: 1024,
    readiness,
    readinessTimeoutMs: 200,
  });
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/things",
      request: {
        body: { content: { "application/json": { schema: z.object({ name: z.string().min(2) }) } } },
      },
      responses: { 201: { description: "created" } },
    }),
    (c) => c.json({ name: c.req.valid("json").name }, 201),
  );
  app.get("/v1/things/:id", (c) => {
    logger.info("inside handler");
    return c.json({ id: c.req.param("id") });
  });
  app.get("/v1/boom", () => {
    throw new Error("secret internals");
  });
  app.get("/v1/teapot", () => {
    throw new AppError(ErrorCode.CONFLICT, "Already there");
  });
  return { app, logger };
}

async function errorOf(res: Response) {
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = await res.json();
  assert.equal(typeof body.error.code, "string");
  assert.equal(typeof body.error.message, "string");
  assert.equal(body.error.requestId, res.headers.get("x-request-id"));
  return body.error;
}

Deno.test("[service] a request gets a generated X-Request-ID that appears in its log lines", async () => {
  const { app, logger } = build();
  const res = await app.request("/v1/things/42");
  assert.equal(res.status, 200);
  const id = res.headers.get("x-request-id");
  assert.ok(id && id.length >= 16);
  const lines = logger.lines.filter((l) => l.requestId === id);
  assert.deepEqual(lines.map((l) => l.msg), ["inside handler", "request"]);
  const access = lines[1];
  assert.equal(access.method, "GET");
  assert.equal(access.path, "/v1/things/42");
  assert.equal(access.route, "/v1/things/:id");
  assert.equal(access.status, 200);
  assert.equal(typeof access.durationMs, "number");
  assert.equal(access.service, "svc");
  assert.ok(typeof access.timestamp === "string");
});

Deno.test("[service] a trusted upstream's X-Request-ID is kept; an unsafe one is replaced", async () => {
  const { app } = build();
  const kept = await app.request("/v1/things/1", { headers: { "X-Request-ID": "abc-123" } });
  assert.equal(kept.headers.get("x-request-id"), "abc-123");
  const replaced = await app.request("/v1/things/1", { headers: { "X-Request-ID": "bad id\twith spaces" } });
  assert.notEqual(replaced.headers.get("x-request-id"), "bad id\twith spaces");
});

Deno.test("[service] an unknown route is 404 and a wrong method is 405 with Allow, both in the one shape", async () => {
  const { app } = build();
  const missing = await app.request("/v1/nothing-here");
  assert.equal(missing.status, 404);
  assert.equal((await errorOf(missing)).code, "NOT_FOUND");
  const wrong = await app.request("/v1/things/1", { method: "DELETE" });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "GET");
  assert.equal((await errorOf(wrong)).code, "METHOD_NOT_ALLOWED");
});

Deno.test("[service] malformed JSON is 400, a failing field is 400 with the field, an oversized body is 413", async () => {
  const { app } = build();
  const json = { "content-type": "application/json" };
  const malformed = await app.request("/v1/things", { method: "POST", headers: json, body: "{not json" });
  assert.equal(malformed.status, 400);
  assert.equal((await errorOf(malformed)).code, "BAD_REQUEST");

  const invalid = await app.request("/v1/things", { method: "POST", headers: json, body: '{"name":"x"}' });
  assert.equal(invalid.status, 400);
  const err = await errorOf(invalid);
  assert.equal(err.code, "VALIDATION_FAILED");
  assert.equal(err.details[0].path, "name");

  const big = await app.request("/v1/things", {
    method: "POST",
    headers: json,
    body: JSON.stringify({ name: "x".repeat(5000) }),
  });
  assert.equal(big.status, 413);
  assert.equal((await errorOf(big)).code, "PAYLOAD_TOO_LARGE");

  const ok = await app.request("/v1/things", { method: "POST", headers: json, body: '{"name":"chalk"}' });
  assert.equal(ok.status, 201);
  assert.deepEqual(await ok.json(), { name: "chalk" });
});

Deno.test("[service] an unexpected error is 500 without internals; an AppError keeps its code", async () => {
  const { app, logger } = build();
  const res = await app.request("/v1/boom");
  assert.equal(res.status, 500);
  const text = await res.clone().text();
  assert.ok(!text.includes("secret internals") && !text.includes("at "), "no message or stack leaks");
  assert.equal((await errorOf(res)).code, "INTERNAL");
  assert.ok(logger.lines.some((l) => l.level === "error" && JSON.stringify(l).includes("secret internals")));

  const conflict = await app.request("/v1/teapot");
  assert.equal(conflict.status, 409);
  assert.equal((await errorOf(conflict)).message, "Already there");
});

Deno.test("[service] /healthz is 200; /readyz is 200 when checks pass and 503 naming the failing one", async () => {
  let up = true;
  const { app } = build({
    database: () => up ? Promise.resolve() : Promise.reject(new Error("connection refused")),
    slow: () => new Promise((r) => setTimeout(r, 10)),
  });
  assert.equal((await app.request("/healthz")).status, 200);
  const ready = await app.request("/readyz");
  assert.equal(ready.status, 200);
  assert.equal((await ready.json()).status, "ready");
  up = false;
  const down = await app.request("/readyz");
  assert.equal(down.status, 503);
  const err = await errorOf(down);
  assert.equal(err.code, "UNAVAILABLE");
  assert.match(err.message, /database \(connection refused\)/);
  assert.equal((await app.request("/healthz")).status, 200);
});

Deno.test("[service] /readyz times out a hanging check instead of hanging itself", async () => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const { app } = build({ stuck: () => new Promise((r) => timer = setTimeout(r, 5000)) });
  const started = performance.now();
  const res = await app.request("/readyz");
  clearTimeout(timer);
  assert.equal(res.status, 503);
  assert.ok(performance.now() - started < 2000);
  assert.match((await errorOf(res)).message, /did not answer/);
});

Deno.test("[service] /metrics serves Prometheus text with requests by route template and memory", async () => {
  const { app } = build();
  await app.request("/v1/things/1");
  await app.request("/v1/things/2");
  const res = await app.request("/metrics");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/plain/);
  const text = await res.text();
  assert.match(
    text,
    /http_requests_total\{method="GET",route="\/v1\/things\/:id",status="200",service="svc"\} 2/,
  );
  assert.match(
    text,
    /http_request_duration_seconds_bucket\{le="0.005",service="svc",method="GET",route="\/v1\/things\/:id"/,
  );
  assert.match(text, /process_memory_bytes\{kind="rss",service="svc"\} \d+/);
});
