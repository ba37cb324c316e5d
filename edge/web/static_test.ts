import assert from "node:assert/strict";
import { MemoryKv } from "../../shared/kv/memory.ts";
import { createEdgeApp } from "../app.ts";
import { edgeEnvSchema } from "../env.ts";
import { buildEdgeServices } from "../main.ts";
import { WEB_CSP } from "./static.ts";

async function edgeServing(files: Record<string, string>) {
  const dir = await Deno.makeTempDir({ prefix: "aiteacher-dist-" });
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(`${dir}/${path}`.replace(/\/[^/]+$/, ""), { recursive: true });
    await Deno.writeTextFile(`${dir}/${path}`, text);
  }
  const env = edgeEnvSchema.parse({
    WEB_DIST_DIR: dir,
    LOG_LEVEL: "error",
    RATE_LIMIT_ENABLED: "false",
    METRICS_TOKEN: METRICS_TOKEN,
  });
  const services = buildEdgeServices(env, {
    kv: new MemoryKv(),
    fetch: () => Promise.resolve(new Response("core", { status: 200 })),
  });
  return { app: createEdgeApp(services), dir };
}

const METRICS_TOKEN = "a-metrics-token-for-tests";
const INDEX = '<!doctype html><script type="module" src="/assets/index-abc123.js"></script>';

Deno.test("[edge] the web app's index.html is served uncached with the app's page policy, for / and client routes", async () => {
  const { app, dir } = await edgeServing({ "index.html": INDEX, "assets/index-abc123.js": "console.log(1)" });
  try {
    for (const path of ["/", "/index.html", "/courses/123/tutor", "/sign-in"]) {
      const res = await app.request(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
      assert.equal(res.headers.get("cache-control"), "no-cache");
      assert.equal(res.headers.get("content-security-policy"), WEB_CSP);
      assert.equal(await res.text(), INDEX);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[edge] hashed assets are immutable, answer 304 to their ETag, and HEAD has no body", async () => {
  const { app, dir } = await edgeServing({ "index.html": INDEX, "assets/index-abc123.js": "console.log(1)" });
  try {
    const res = await app.request("/assets/index-abc123.js");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(await res.text(), "console.log(1)");
    const etag = res.headers.get("etag")!;
    const again = await app.request("/assets/index-abc123.js", { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
    const head = await app.request("/assets/index-abc123.js", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[edge] the web app never shadows the API, health, readiness or metrics, and never leaves its folder", async () => {
  const { app, dir } = await edgeServing({ "index.html": INDEX, ".secret": "no" });
  try {
    const api = await app.request("/api/v1/me");
    assert.equal(api.status, 401);
    assert.match(api.headers.get("content-type") ?? "", /application\/json/);
    assert.equal(api.headers.get("content-security-policy"), "default-src 'none'; frame-ancestors 'none'");
    const unknownApi = await app.request("/api/other");
    assert.equal(unknownApi.status, 404);
    assert.match(unknownApi.headers.get("content-type") ?? "", /application\/json/);
    assert.equal((await app.request("/healthz")).headers.get("content-type"), "application/json");
    const metrics = await app.request("/metrics", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.match(metrics.headers.get("content-type") ?? "", /text\/plain/);
    // Without the token the edge's own 401 answers, not the web app.
    const anonymous = await app.request("/metrics");
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get("content-type") ?? "", /application\/json/);
    for (
      const path of [
        "/assets/missing-123.js",
        "/.secret",
        "/%2e%2e/deno.json",
        "/assets/..%2F..%2Fetc/passwd",
      ]
    ) {
      const res = await app.request(path);
      assert.equal(res.status, 404, path);
      await res.body?.cancel();
    }
    const post = await app.request("/courses/1", { method: "POST" });
    assert.equal(post.status, 404);
    await post.body?.cancel();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[edge] an unbuilt web app says how to build it instead of serving nothing", async () => {
  const { app, dir } = await edgeServing({});
  try {
    const res = await app.request("/");
    assert.equal(res.status, 404);
    assert.match(await res.text(), /deno task web:build/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
