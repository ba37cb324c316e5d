import assert from "node:assert/strict";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import { responseWithHeaders } from "../shared/http/response_headers.ts";
import { createServiceApp } from "../shared/http/service_app.ts";
import { memoryLogger } from "../shared/logger.ts";
import { createMetrics } from "../shared/metrics.ts";
import {
  corsOptions,
  edgeResponseHeaders,
  SECURE_HEADERS,
  SECURE_HEADERS_OPTIONS,
} from "./security_headers.ts";

const ORIGINS = ["https://app.example.edu"];

/** The same routes on the edge's base app (with `edgeResponseHeaders`) and on Hono's own two middleware. */
function apps() {
  const edge = createServiceApp({
    service: "edge",
    logger: memoryLogger("edge"),
    metrics: createMetrics("edge"),
    trustRequestId: false,
    bodyLimitBytes: 1024,
    readiness: {},
    early: [edgeResponseHeaders(ORIGINS)],
  });
  const reference = new Hono().use(secureHeaders(SECURE_HEADERS_OPTIONS), cors(corsOptions(ORIGINS)));
  reference.onError((_err, c) => c.text("failed", 500));
  for (const app of [edge, reference] as Hono[]) {
    app.get(
      "/api/v1/forwarded",
      (c) => c.json({ ok: true }, 200, { "X-Powered-By": "Express", Vary: "Accept-Encoding" }),
    );
    app.get("/api/v1/boom", () => {
      throw new Error("boom");
    });
  }
  // A response built whole, as the edge cache builds a HIT; the reference builds the same one Hono's way.
  edge.get("/api/v1/built", (c) => {
    c.res = responseWithHeaders(c, "cached", { status: 200, headers: [["content-type", "text/plain"]] });
    return c.res;
  });
  reference.get("/api/v1/built", (c) => c.body("cached", 200, { "content-type": "text/plain" }));
  return { edge, reference };
}

/** The security and CORS headers of a response (what the two implementations must agree on). */
function policyHeaders(res: Response): Record<string, string> {
  const names = new Set([...SECURE_HEADERS.map(([h]) => h.toLowerCase()), "vary", "x-powered-by"]);
  const out: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (names.has(name) || name.startsWith("access-control-")) out[name] = value;
  });
  return out;
}

Deno.test("[edge] SECURE_HEADERS is exactly what Hono's secureHeaders writes with the edge's options", async () => {
  const res = await new Hono().use(secureHeaders(SECURE_HEADERS_OPTIONS)).get("/", (c) => c.body(null, 204))
    .request("/");
  const written: [string, string][] = [];
  res.headers.forEach((value, name) => written.push([name, value]));
  assert.deepEqual(
    written.sort(),
    SECURE_HEADERS.map(([h, v]) => [h.toLowerCase(), v]).sort(),
  );
});

Deno.test("[edge] responses carry the same security and CORS headers as Hono's middleware would write", async () => {
  const { edge, reference } = apps();
  const cases: [string, RequestInit][] = [
    ["/api/v1/forwarded", {}],
    ["/api/v1/forwarded", { headers: { Origin: ORIGINS[0] } }],
    ["/api/v1/forwarded", { headers: { Origin: "https://evil.example" } }],
    ["/api/v1/built", { headers: { Origin: ORIGINS[0] } }],
    ["/api/v1/built", {}],
    ["/api/v1/boom", { headers: { Origin: ORIGINS[0] } }],
    ["/api/v1/nowhere", { headers: { Origin: ORIGINS[0] } }],
    ["/api/v1/forwarded", {
      method: "OPTIONS",
      headers: { Origin: ORIGINS[0], "Access-Control-Request-Method": "POST" },
    }],
    ["/api/v1/forwarded", { method: "OPTIONS", headers: { Origin: "https://evil.example" } }],
  ];
  for (const [path, init] of cases) {
    const mine = await edge.request(path, init);
    const theirs = await reference.request(path, init);
    const what = `${init.method ?? "GET"} ${path} ${JSON.stringify(init.headers ?? {})}`;
    assert.equal(mine.status === 204, theirs.status === 204, what);
    assert.deepEqual(policyHeaders(mine), policyHeaders(theirs), what);
    assert.equal(mine.headers.get("x-powered-by"), null, what);
    await mine.body?.cancel();
    await theirs.body?.cancel();
  }
});

Deno.test("[edge] an allowed origin is echoed with credentials; Vary: Origin is listed once", async () => {
  const { edge } = apps();
  const res = await edge.request("/api/v1/forwarded", { headers: { Origin: ORIGINS[0] } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("access-control-allow-origin"), ORIGINS[0]);
  assert.equal(res.headers.get("access-control-allow-credentials"), "true");
  assert.equal(res.headers.get("vary"), "Accept-Encoding, Origin");
  assert.ok(res.headers.get("x-request-id"));
  await res.body?.cancel();
});
