import assert from "node:assert/strict";
import { parseEnv } from "../shared/env.ts";
import { MemoryKv } from "../shared/kv/memory.ts";
import { memoryLogger } from "../shared/logger.ts";
import { createEdgeApp } from "./app.ts";
import { edgeEnvSchema } from "./env.ts";
import { buildEdgeServices } from "./main.ts";

/** An edge whose way to core records what it was given and echoes the body length. */
function edgeRecordingCore() {
  const seen: { url: string; streamed: boolean; bytes: number; assertion: string | null }[] = [];
  const fetchCore = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const streamed = init?.body instanceof ReadableStream;
    const bytes = init?.body ? (await new Response(init.body).arrayBuffer()).byteLength : 0;
    seen.push({
      url: String(input),
      streamed,
      bytes,
      assertion: new Headers(init?.headers).get("x-edge-assertion"),
    });
    return Response.json({ bytes }, { status: 202 });
  }) as typeof fetch;
  const env = parseEnv(edgeEnvSchema, { CORE_URL: "http://core.internal:8081", BODY_LIMIT_BYTES: "2048" });
  const app = createEdgeApp({
    ...buildEdgeServices(env, { kv: new MemoryKv(), fetch: fetchCore }),
    logger: memoryLogger("edge"),
  });
  return { app, seen };
}

Deno.test("[edge] a signed upload streams to core past the body limit without a session", async () => {
  const { app, seen } = edgeRecordingCore();
  const body = new Uint8Array(64 * 1024).fill(7);
  const res = await app.request(
    "/api/v1/uploads/0b9c3f1e-1111-4222-8333-944445555666?type=pdf&max=65536&exp=1&sig=x",
    {
      method: "PUT",
      body,
      headers: { "content-type": "application/pdf" },
    },
  );
  assert.equal(res.status, 202);
  assert.deepEqual(await res.json(), { bytes: body.length });
  assert.equal(seen.length, 1);
  assert.equal(seen[0].streamed, true);
  assert.equal(seen[0].assertion, null);
  assert.match(seen[0].url, /\/v1\/uploads\/0b9c3f1e-1111-4222-8333-944445555666\?type=pdf&max=65536/);
});

Deno.test("[edge] other routes keep the body limit and the session requirement", async () => {
  const { app, seen } = edgeRecordingCore();
  const big = await app.request("/api/v1/auth/login", {
    method: "POST",
    body: "x".repeat(4096),
    headers: { "content-type": "application/json" },
  });
  assert.equal(big.status, 413);
  const anonymous = await app.request("/api/v1/search", {
    method: "POST",
    body: JSON.stringify({ courseId: crypto.randomUUID(), query: "x" }),
    headers: { "content-type": "application/json" },
  });
  assert.equal(anonymous.status, 401);
  assert.equal(seen.length, 0);
});
