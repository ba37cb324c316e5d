/**
 * The edge's fast path (edge/fast_hit.ts) against the chain it skips: two edges, one with the fast path and one
 * without (`EDGE_CACHE_FAST_PATH=false`), each with its own KV store, get the same requests from the same callers,
 * and must give the same answers: status, every header, body, metrics and access-log line. A spy on the token
 * verifier tells which path served each request.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  ACCESS_TOKEN_TYP,
  revokedJtiKey,
  userTokensRevokedBeforeKey,
} from "../shared/access_token.ts";
import { parseEnv } from "../shared/env.ts";
import type { Role } from "../shared/identity.ts";
import { formatCacheScope, scopeVersionKey } from "../shared/kv/cache_scope.ts";
import { MemoryKv } from "../shared/kv/memory.ts";
import { memoryLogger } from "../shared/logger.ts";
import { createEdgeApp } from "./app.ts";
import { edgeEnvSchema } from "./env.ts";
import { buildEdgeServices } from "./main.ts";
import type { AccessTokenVerifier } from "./auth/verify.ts";

const CORE_URL = "http://core.test";
const ORIGIN = "https://app.example";
const { publicKey, privateKey } = await generateKeyPair("EdDSA");
const JWKS = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "EdDSA", use: "sig" }] };

/** Stand-in core: its JWKS, a public catalog with an ETag, a route open to admins only, and a scoped answer. */
function core() {
  const publicHeaders = { ETag: '"v1"', "Cache-Control": "public, max-age=60" };
  return new Hono()
    .get("/.well-known/jwks.json", (c) => c.json(JWKS))
    .get("/v1/faculties", (c) => c.json({ faculties: ["Science", "Arts"] }, 200, publicHeaders))
    // Really private in core; public here so the only thing between a student and the cached copy is the role.
    .get("/v1/jobs", (c) => c.json({ items: [] }, 200, publicHeaders))
    .get(
      "/v1/semesters",
      (c) =>
        c.json({ items: ["2026"] }, 200, {
          ...publicHeaders,
          "X-Cache-Scope": formatCacheScope({ "course:c1": 1 }),
        }),
    );
}

async function token(user: { id: string; role: Role; mfa?: boolean; jti?: string }): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({ role: user.role, mfa: user.mfa ?? true, iat_ms: Date.now() - 1000 })
    .setProtectedHeader({ alg: "EdDSA", kid: "k1", typ: ACCESS_TOKEN_TYP })
    .setSubject(user.id)
    .setJti(user.jti ?? crypto.randomUUID())
    .setIssuer(ACCESS_TOKEN_ISSUER)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setIssuedAt(now - 1)
    .setExpirationTime(now + 600)
    .sign(privateKey);
}

/** One edge (fast path on or off) with its own KV store, a spy on its verifier, its log lines and metrics. */
function edge(fastPath: boolean, env: Record<string, string> = {}) {
  const upstream = core();
  const kv = new MemoryKv();
  const parsed = parseEnv(edgeEnvSchema, {
    LOG_LEVEL: "info",
    CORE_URL,
    EDGE_ASSERTION_SECRET: "s".repeat(64),
    WEB_APP_ENABLED: "false",
    TRUST_PROXY: "true",
    CORS_ORIGINS: ORIGIN,
    EDGE_CACHE_FAST_PATH: String(fastPath),
    ...env,
  });
  const fetchCore =
    ((input: RequestInfo | URL, init?: RequestInit) =>
      Promise.resolve(upstream.fetch(new Request(input, init)))) as typeof fetch;
  const built = buildEdgeServices(parsed, { kv, fetch: fetchCore });
  const calls = { chain: 0, fast: 0 };
  const real = built.verifyAccessToken;
  const verifyAccessToken: AccessTokenVerifier = Object.assign((t: string) => {
    calls.chain++;
    return real(t);
  }, {
    cached: (t: string) => {
      calls.fast++;
      return real.cached!(t);
    },
  });
  const logger = memoryLogger("edge");
  const services = { ...built, logger, verifyAccessToken };
  const app = createEdgeApp(services);
  return {
    app,
    kv,
    calls,
    logger,
    /** The request-count and cache-hit metric lines (durations differ from run to run). */
    async metrics() {
      const text = await services.metrics.registry.metrics();
      return text.split("\n").filter((l) => /^(http_requests_total|edge_cache_requests_total)\{/.test(l));
    },
  };
}

type Edge = ReturnType<typeof edge>;

let requestNumber = 0;

/** The same request to both edges; returns both answers with their headers as sorted pairs. */
async function both(fast: Edge, slow: Edge, path: string, auth: string, extra: Record<string, string> = {}) {
  const headers = {
    authorization: `Bearer ${auth}`,
    origin: ORIGIN,
    "x-request-id": `r${++requestNumber}`,
    ...extra,
  };
  const a = await fast.app.request(path, { headers });
  const b = await slow.app.request(path, { headers });
  const answer = async (res: Response) => ({
    status: res.status,
    headers: [...res.headers].filter(([h]) => h !== "ratelimit-reset" && h !== "age"),
    reset: Number(res.headers.get("ratelimit-reset") ?? 0),
    age: Number(res.headers.get("age") ?? 0),
    body: await res.text(),
  });
  return { fast: await answer(a), slow: await answer(b) };
}

/** Asserts two answers are the same (reset and age to within a second: they are clock readings). */
function assertSame(pair: Awaited<ReturnType<typeof both>>, what: string) {
  assert.equal(pair.fast.status, pair.slow.status, `${what}: status`);
  assert.deepEqual(pair.fast.headers, pair.slow.headers, `${what}: headers`);
  assert.equal(pair.fast.body, pair.slow.body, `${what}: body`);
  assert.ok(Math.abs(pair.fast.reset - pair.slow.reset) <= 1, `${what}: RateLimit-Reset`);
  assert.ok(Math.abs(pair.fast.age - pair.slow.age) <= 1, `${what}: Age`);
}

/** The access-log lines of an edge without their timings. */
function accessLog(e: Edge) {
  return e.logger.lines.filter((l) => l.msg === "request").map(({ timestamp: _t, durationMs: _d, ...l }) =>
    l
  );
}

Deno.test("[edge] a cached GET served by the fast path has the chain's status, headers, body, metrics and log", async () => {
  const fast = edge(true);
  const slow = edge(false);
  const student = await token({ id: crypto.randomUUID(), role: "STUDENT" });
  const first = await both(fast, slow, "/api/v1/faculties", student);
  assertSame(first, "first (MISS)");
  assert.equal(fast.calls.fast, 0, "nothing cached yet: the fast path does not even look at the token");
  const hit = await both(fast, slow, "/api/v1/faculties", student);
  assertSame(hit, "HIT");
  assert.equal(new Headers(hit.fast.headers).get("x-cache"), "HIT");
  assert.equal(new Headers(hit.fast.headers).get("access-control-allow-origin"), ORIGIN);
  assert.equal(new Headers(hit.fast.headers).get("x-request-id"), `r${requestNumber}`);
  assert.ok(new Headers(hit.fast.headers).get("ratelimit-policy"));
  assert.equal(fast.calls.fast, 1, "the fast path answered the HIT");
  assert.equal(fast.calls.chain, 1, "the chain answered only the MISS");
  const foreign = await both(fast, slow, "/api/v1/faculties", student, { origin: "https://evil.example" });
  assertSame(foreign, "HIT from an origin not allowed");
  assert.equal(new Headers(foreign.fast.headers).get("access-control-allow-origin"), null);
  assert.equal(fast.calls.fast, 2);
  const notModified = await both(fast, slow, "/api/v1/faculties", student, { "if-none-match": '"v1"' });
  assertSame(notModified, "304");
  assert.equal(notModified.fast.status, 304);
  assert.equal(fast.calls.fast, 3);
  assert.deepEqual(await fast.metrics(), await slow.metrics());
  assert.deepEqual(accessLog(fast), accessLog(slow));
  assert.equal(accessLog(fast).length, 4);
});

Deno.test("[edge] the fast path refuses a revoked token as the chain does, by its jti or by the user's cut-off", async () => {
  const fast = edge(true);
  const slow = edge(false);
  const user = { id: crypto.randomUUID(), role: "STUDENT" as const, jti: crypto.randomUUID() };
  const student = await token(user);
  for (let i = 0; i < 2; i++) assertSame(await both(fast, slow, "/api/v1/faculties", student), `warm ${i}`);
  assert.equal(fast.calls.fast, 1);
  for (const e of [fast, slow]) await e.kv.set(revokedJtiKey(user.jti), "1");
  const revoked = await both(fast, slow, "/api/v1/faculties", student);
  assertSame(revoked, "revoked jti");
  assert.equal(revoked.fast.status, 401);
  assert.match(new Headers(revoked.fast.headers).get("www-authenticate") ?? "", /invalid_token/);

  const other = { id: crypto.randomUUID(), role: "STUDENT" as const };
  const otherToken = await token(other);
  for (let i = 0; i < 2; i++) {
    assertSame(await both(fast, slow, "/api/v1/faculties", otherToken), `warm ${i}`);
  }
  for (const e of [fast, slow]) await e.kv.set(userTokensRevokedBeforeKey(other.id), String(Date.now()));
  const cut = await both(fast, slow, "/api/v1/faculties", otherToken);
  assertSame(cut, "user's tokens revoked");
  assert.equal(cut.fast.status, 401);
  assert.deepEqual(await fast.metrics(), await slow.metrics());
});

Deno.test("[edge] the fast path keeps a cached route's roles and admins' 2FA rule", async () => {
  const fast = edge(true);
  const slow = edge(false);
  const admin = await token({ id: crypto.randomUUID(), role: "ADMIN" });
  for (let i = 0; i < 2; i++) assertSame(await both(fast, slow, "/api/v1/jobs", admin), `admin ${i}`);
  assert.equal(fast.calls.fast, 1, "the admin's second call was a fast HIT");
  const student = await token({ id: crypto.randomUUID(), role: "STUDENT" });
  for (let i = 0; i < 2; i++) {
    const refused = await both(fast, slow, "/api/v1/jobs", student);
    assertSame(refused, `student ${i}`);
    assert.equal(refused.fast.status, 403);
  }
  const adminWithout2fa = await token({ id: crypto.randomUUID(), role: "ADMIN", mfa: false });
  for (let i = 0; i < 2; i++) {
    const refused = await both(fast, slow, "/api/v1/jobs", adminWithout2fa);
    assertSame(refused, `admin without 2FA ${i}`);
    assert.equal(refused.fast.status, 403);
  }
  assert.deepEqual(await fast.metrics(), await slow.metrics());
});

Deno.test("[edge] a scoped entry is never served by the fast path: a caller without the scope's grant goes to core", async () => {
  const fast = edge(true);
  const slow = edge(false);
  for (const e of [fast, slow]) await e.kv.set(scopeVersionKey("course:c1"), "1");
  const ann = await token({ id: crypto.randomUUID(), role: "STUDENT" });
  const bob = await token({ id: crypto.randomUUID(), role: "STUDENT" });
  const answers = [];
  for (const [who, auth] of [["ann", ann], ["ann", ann], ["bob", bob], ["bob", bob]]) {
    const pair = await both(fast, slow, "/api/v1/semesters", auth);
    assertSame(pair, who);
    answers.push(new Headers(pair.fast.headers).get("x-cache"));
  }
  // Bob's first call goes to core (no grant yet), which grants him the scope; then he gets the cached copy.
  assert.deepEqual(answers, ["MISS", "HIT", "MISS", "HIT"]);
  assert.equal(fast.calls.fast, 0, "scoped entries stay in the chain, which checks versions and grants");
  assert.deepEqual(await fast.metrics(), await slow.metrics());
});

Deno.test("[edge] the fast path counts against the user's limit and answers over it with the chain's 429, counting once", async () => {
  const fast = edge(true, { RATE_LIMIT_USER: "3/1m" });
  const slow = edge(false, { RATE_LIMIT_USER: "3/1m" });
  const student = await token({ id: crypto.randomUUID(), role: "STUDENT" });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const pair = await both(fast, slow, "/api/v1/faculties", student);
    // The 429's message names the seconds left, a clock reading like RateLimit-Reset.
    if (pair.fast.status === 429) {
      const strip = (b: string) => JSON.parse(b, (k, v) => (k === "message" ? "" : v));
      assert.deepEqual(strip(pair.fast.body), strip(pair.slow.body));
      pair.fast.body = pair.slow.body;
      pair.fast.headers = pair.fast.headers.filter(([h]) => h !== "retry-after");
      pair.slow.headers = pair.slow.headers.filter(([h]) => h !== "retry-after");
    }
    assertSame(pair, `request ${i + 1}`);
    statuses.push(pair.fast.status);
  }
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  assert.ok(fast.calls.fast >= 2, "the HITs and the refusals went through the fast path");
  assert.deepEqual(await fast.metrics(), await slow.metrics());
});
