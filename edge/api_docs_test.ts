import assert from "node:assert/strict";
import { parseEnv } from "../shared/env.ts";
import { memoryLogger } from "../shared/logger.ts";
import { MemoryKv } from "../shared/kv/memory.ts";
import { createApiClient } from "../shared/api/client.ts";
import { createEdgeApp } from "./app.ts";
import { edgeEnvSchema } from "./env.ts";
import { buildEdgeServices } from "./main.ts";

/** An edge whose core never answers: the document and the docs page must not need it. */
function edgeWithoutCore() {
  const parsed = parseEnv(edgeEnvSchema, { CORE_URL: "http://core.internal:8081", LOG_LEVEL: "error" });
  const noCore = (() => Promise.reject(new Error("core must not be called"))) as typeof fetch;
  return createEdgeApp({
    ...buildEdgeServices(parsed, { kv: new MemoryKv(), fetch: noCore }),
    logger: memoryLogger("edge"),
  });
}

Deno.test("[edge] GET /api/v1/openapi.json answers the public document without a token, with an ETag", async () => {
  const edge = edgeWithoutCore();
  const res = await edge.request("/api/v1/openapi.json");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const doc = await res.json();
  assert.equal(doc.openapi, "3.1.0");
  const paths = Object.keys(doc.paths);
  assert.ok(paths.length > 50);
  assert.deepEqual(paths.filter((p) => !p.startsWith("/api/v1/")), [], "public paths only");
  assert.ok(doc.components.securitySchemes.bearer && doc.components.securitySchemes.refreshCookie);
  const etag = res.headers.get("etag")!;
  assert.ok(etag);
  const again = await edge.request("/api/v1/openapi.json", { headers: { "if-none-match": etag } });
  assert.equal(again.status, 304);
  // The typed client reaches it too (it is in the document as a public route).
  const viaClient = await createApiClient("http://edge.test", { fetch: (r) => edge.request(r) })
    .GET("/api/v1/openapi.json");
  assert.equal(viaClient.response.status, 200);
});

Deno.test("[edge] /api/docs serves the reference page and its assets from this edge, with a CSP allowing only them", async () => {
  const edge = edgeWithoutCore();
  const page = await edge.request("/api/docs");
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
  const csp = page.headers.get("content-security-policy") ?? "";
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /https?:/, "nothing from another origin");
  const html = await page.text();
  const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(assets.length >= 3);
  for (const asset of assets) {
    assert.ok(asset.startsWith("/api/docs/"), `${asset} is served here`);
    const res = await edge.request(asset);
    assert.equal(res.status, 200, asset);
    await res.body?.cancel();
  }
  assert.equal((await edge.request("/api/docs/../../etc/passwd")).status, 404);
  assert.equal((await edge.request("/api/docs/index.html")).status, 404);
});
