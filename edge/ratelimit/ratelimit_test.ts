import assert from "node:assert/strict";
import { Hono } from "hono";
import { edgeTest } from "../testing_kv.ts";
import { MemoryRateLimiter } from "./memory.ts";
import { classOf, parseClassLimits, parseLimit } from "./policy.ts";

const STUDENT_A = "11111111-1111-4111-8111-111111111111:STUDENT";
const STUDENT_B = "22222222-2222-4222-8222-222222222222:STUDENT";
const ACADEMIC = "33333333-3333-4333-8333-333333333333:ACADEMIC";

function from(ip: string, headers: Record<string, string> = {}) {
  return { headers: { "x-forwarded-for": ip, ...headers } };
}

edgeTest("[edge] the per-IP limit answers 429 with Retry-After and the one error shape", {
  env: { RATE_LIMIT_IP: "3/1m" },
}, async ({ appWithIdentity: app, upstreamCalls }) => {
  for (let i = 0; i < 3; i++) {
    const res = await app.request("/api/v1/courses", from("10.0.0.1"));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("ratelimit-limit"), "3");
    assert.equal(res.headers.get("ratelimit-remaining"), String(2 - i));
    assert.equal(res.headers.get("ratelimit-policy"), "3;w=60");
    assert.ok(Number(res.headers.get("ratelimit-reset")) <= 60);
  }
  const limited = await app.request("/api/v1/courses", from("10.0.0.1"));
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("content-type"), "application/json");
  const retryAfter = Number(limited.headers.get("retry-after"));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  assert.equal(limited.headers.get("ratelimit-remaining"), "0");
  const body = await limited.json();
  assert.equal(body.error.code, "RATE_LIMITED");
  assert.equal(body.error.details.rule, "ip");
  assert.equal(typeof body.error.requestId, "string");
  assert.equal(upstreamCalls.length, 3, "a limited request never reaches core");
  assert.equal(
    (await app.request("/api/v1/courses", from("10.0.0.2"))).status,
    200,
    "other IPs are unaffected",
  );
  assert.equal(
    (await app.request("/healthz", from("10.0.0.1"))).status,
    200,
    "health checks are not limited",
  );
});

edgeTest("[edge] chat is limited per user, not per IP, and other routes are not counted", {
  env: { RATE_LIMITS: "chat=2/1m" },
}, async ({ appWithIdentity: app, metricsText }) => {
  const chat = (user: string, ip: string) =>
    app.request("/api/v1/chat/sessions/s1/messages", {
      method: "POST",
      ...from(ip, { "x-test-user": user }),
    });
  assert.equal((await chat(STUDENT_A, "10.0.0.1")).status, 200);
  assert.equal((await chat(STUDENT_A, "10.0.0.2")).status, 200);
  const limited = await chat(STUDENT_A, "10.0.0.3");
  assert.equal(limited.status, 429);
  assert.equal((await limited.json()).error.details.rule, "chat");
  assert.equal((await chat(STUDENT_B, "10.0.0.1")).status, 200, "another user on the same IP still chats");
  const listing = await app.request(
    "/api/v1/chat/sessions/s1",
    from("10.0.0.1", { "x-test-user": STUDENT_A }),
  );
  assert.equal(listing.status, 200, "reading a session is not a chat message");
  assert.match(await metricsText(), /edge_rate_limited_total\{rule="chat",service="edge"\} 1/);
});

edgeTest("[edge] a role's override replaces the class limit for that role only", {
  env: { RATE_LIMITS: "ai=1/1m", RATE_LIMITS_ACADEMIC: "ai=3/1m" },
}, async ({ appWithIdentity: app }) => {
  const generate = (user: string) =>
    app.request("/api/v1/courses/c1/exams", { method: "POST", ...from("10.0.0.9", { "x-test-user": user }) });
  assert.deepEqual(
    [await generate(ACADEMIC), await generate(ACADEMIC), await generate(ACADEMIC), await generate(ACADEMIC)]
      .map((r) => r.status),
    [200, 200, 200, 429],
  );
  assert.deepEqual([(await generate(STUDENT_A)).status, (await generate(STUDENT_A)).status], [200, 429]);
});

/** A stand-in login route: 401 unless the password is "right", else echoes the email it received (body intact). */
const loginUpstream = new Hono().post("/v1/auth/login", async (c) => {
  const body = await c.req.json();
  return body.password === "right" ? c.json({ got: body.email }) : c.json({ error: "wrong" }, 401);
});

function login(
  app: { request(path: string, init: RequestInit): Response | Promise<Response> },
  email: string,
  ip: string,
  password: string,
) {
  return app.request("/api/v1/auth/login", {
    method: "POST",
    ...from(ip, { "content-type": "application/json" }),
    body: JSON.stringify({ email, password }),
  });
}

edgeTest("[edge] sign-in FAILURES are limited per email across IPs; successes never count", {
  env: { RATE_LIMITS: "login_email=2/1m,login_ip=100/1m" },
  upstream: loginUpstream,
}, async ({ appWithIdentity: app }) => {
  for (let i = 0; i < 5; i++) {
    const ok = await login(app, "Ann@Example.edu", `10.0.0.${i}`, "right");
    assert.equal(ok.status, 200, "successful sign-ins are not attempts to count");
    assert.deepEqual(await ok.json(), { got: "Ann@Example.edu" });
  }
  assert.equal((await login(app, "ann@example.edu ", "10.0.1.1", "wrong")).status, 401);
  assert.equal((await login(app, "ann@example.edu", "10.0.1.2", "wrong")).status, 401);
  const limited = await login(app, "ann@example.edu", "10.0.1.3", "right");
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get("retry-after")) >= 1);
  assert.equal((await limited.json()).error.details.rule, "login_email");
  assert.equal((await login(app, "bob@example.edu", "10.0.1.3", "right")).status, 200);
});

edgeTest("[edge] sign-in failures are limited per IP whatever the email; a NAT's many sign-ins are not", {
  env: { RATE_LIMITS: "login_ip=2/1m" },
  upstream: loginUpstream,
}, async ({ appWithIdentity: app }) => {
  const nat = "10.0.0.5";
  for (let i = 0; i < 20; i++) assert.equal((await login(app, `s${i}@x.edu`, nat, "right")).status, 200);
  assert.deepEqual(
    [
      (await login(app, "a@x.edu", nat, "wrong")).status,
      (await login(app, "b@x.edu", nat, "wrong")).status,
      (await login(app, "c@x.edu", nat, "right")).status,
    ],
    [401, 401, 429],
  );
  assert.equal((await login(app, "c@x.edu", "10.0.0.6", "right")).status, 200);
});

edgeTest(
  "[edge] signed-in traffic is limited per user, not per IP: a lecture hall behind one address is not",
  {
    env: { RATE_LIMIT_IP: "3/1m", RATE_LIMIT_USER: "4/1m" },
  },
  async ({ appWithIdentity: app }) => {
    const hall = "10.20.0.1";
    const as = (n: number) =>
      from(hall, {
        authorization: "Bearer t",
        "x-test-user": `${String(n).padStart(8, "0")}-1111-4111-8111-111111111111:STUDENT`,
      });
    for (let student = 0; student < 30; student++) {
      for (let i = 0; i < 4; i++) {
        assert.equal((await app.request("/api/v1/courses", as(student))).status, 200, `student ${student}`);
      }
    }
    const over = await app.request("/api/v1/courses", as(0));
    assert.equal(over.status, 429);
    assert.equal((await over.json()).error.details.rule, "user");
    // A bearer header on a public route (no token is verified there) does not dodge the per-IP limit.
    const publicStatuses = [];
    for (let i = 0; i < 4; i++) {
      publicStatuses.push(
        (await app.request("/api/v1/version", from("10.20.0.2", { authorization: "Bearer x" }))).status,
      );
    }
    assert.equal(publicStatuses.at(-1), 429);
    // Anonymous requests from the same address still meet the per-IP limit.
    const anonymous = [];
    for (let i = 0; i < 4; i++) anonymous.push((await app.request("/api/v1/courses", from(hall))).status);
    assert.deepEqual(anonymous, [200, 200, 200, 429]);
  },
);

edgeTest("[edge] with Redis down, limits fall back to in-process counters and nothing answers 5xx", {
  env: { RATE_LIMIT_IP: "2/1m" },
  redisDown: true,
}, async ({ appWithIdentity: app, kind, metricsText, services }) => {
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await app.request("/api/v1/courses", from("10.0.0.1"))).status);
  assert.deepEqual(statuses, [200, 200, 429]);
  if (kind === "upstash") {
    const text = await metricsText();
    assert.match(text, /edge_kv_fallback_total\{component="ratelimit",service="edge"\} 3/);
    const lines = (services.logger as unknown as { lines: { msg: string }[] }).lines;
    assert.equal(lines.filter((l) => l.msg === "rate limiting fell back to in-process counters").length, 1);
  }
});

Deno.test("MemoryRateLimiter weighs the previous window like the sliding window of @upstash/ratelimit", async () => {
  let now = 60_000 * 100;
  const limiter = new MemoryRateLimiter({ now: () => now });
  const rule = { name: "t", limit: 4, windowMs: 60_000 };
  for (let i = 0; i < 4; i++) assert.equal((await limiter.limit(rule, "u")).success, true);
  assert.equal((await limiter.limit(rule, "u")).success, false);
  // A quarter into the next window, 3/4 of the previous 4 still count: 3, so one more request passes.
  now += 60_000 + 15_000;
  const next = await limiter.limit(rule, "u");
  assert.deepEqual(next, { success: true, limit: 4, remaining: 0, resetAt: 60_000 * 102 });
  assert.equal((await limiter.limit(rule, "u")).success, false);
  // Two windows later nothing counts.
  now += 120_000;
  assert.equal((await limiter.limit(rule, "u")).remaining, 3);
});

Deno.test("limit specs parse, and bad ones are refused with the reason", () => {
  assert.deepEqual(parseLimit("100/1m"), { limit: 100, windowMs: 60_000 });
  assert.deepEqual(parseLimit("5/30s"), { limit: 5, windowMs: 30_000 });
  assert.deepEqual(parseLimit("7/h"), { limit: 7, windowMs: 3_600_000 });
  assert.throws(() => parseLimit("fast"), /not a limit like "20\/1m"/);
  assert.throws(() => parseLimit("0/1m"), /not a limit/);
  assert.deepEqual(parseClassLimits("chat=20/1m, ai=5/1m"), {
    chat: { limit: 20, windowMs: 60_000 },
    ai: { limit: 5, windowMs: 60_000 },
  });
  assert.throws(() => parseClassLimits("nap=1/1m"), /class one of chat/);
});

Deno.test("route classes: chat messages, generation, search, uploads and login", () => {
  assert.equal(classOf("POST", "/api/v1/chat/sessions/abc/messages"), "chat");
  assert.equal(classOf("POST", "/api/v1/courses/c1/exams"), "ai");
  assert.equal(classOf("GET", "/api/v1/chat/sessions/abc/summary"), "ai");
  assert.equal(classOf("POST", "/api/v1/search"), "search");
  assert.equal(classOf("POST", "/api/v1/courses/c1/documents"), "upload");
  assert.equal(classOf("POST", "/api/v1/documents/d1/reindex"), "upload");
  assert.equal(classOf("POST", "/api/v1/auth/login/"), "login_ip");
  assert.equal(classOf("GET", "/api/v1/courses/c1/documents"), undefined);
  assert.equal(classOf("GET", "/api/v1/chat/sessions/abc/messages"), undefined);
});

edgeTest("[edge] a signed-in search takes its user and search limits at once: one KV round trip, not two", {
  env: { RATE_LIMITS: "search=3/1m" },
}, async ({ appWithIdentity: app, services, kind }) => {
  const limiter = services.rateLimiter;
  let open = 0;
  let most = 0;
  services.rateLimiter = {
    kind: limiter.kind,
    limit: async (rule, identifier) => {
      most = Math.max(most, ++open);
      try {
        return await limiter.limit(rule, identifier);
      } finally {
        open--;
      }
    },
  };
  const search = (user: string) =>
    app.request("/api/v1/search", {
      method: "POST",
      ...from("10.0.0.1", { "x-test-user": user, "content-type": "application/json" }),
      body: JSON.stringify({ query: "x" }),
    });
  assert.equal((await search(STUDENT_B)).status, 200); // loads the limiter's script on the Upstash run
  // Round trips to the KV that run the limiter's script, counted at the client's fetch (Upstash run).
  const realFetch = globalThis.fetch;
  let scriptCalls = 0;
  globalThis.fetch = (input, init) => {
    if (/evalsha/i.test(String(init?.body ?? ""))) scriptCalls++;
    return realFetch(input, init);
  };
  try {
    most = 0;
    const first = await search(STUDENT_A);
    assert.equal(first.status, 200);
    assert.equal(most, 2, "the two limits were taken one after the other");
    if (kind === "upstash") {
      assert.equal(scriptCalls, 2, "the IP limit, then one pipelined request for both limits");
    }
    assert.equal(first.headers.get("ratelimit-policy"), "600;w=60, 300;w=60, 3;w=60"); // IP (no token here), user, search
    assert.equal(first.headers.get("ratelimit-remaining"), "2");
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.equal((await search(STUDENT_A)).status, 200);
  assert.equal((await search(STUDENT_A)).status, 200);
  const limited = await search(STUDENT_A);
  assert.equal(limited.status, 429);
  assert.equal((await limited.json()).error.details.rule, "search", "the class limit still refuses");
});
