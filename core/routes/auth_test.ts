import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { dbTest } from "../../shared/db/testing.ts";
import { auditEvents, refreshTokens, users } from "../../shared/db/schema/mod.ts";
import { revokedJtiKey } from "../../shared/access_token.ts";
import { createCheckedCoreApp } from "../testing_contract.ts";
import { ASSERTION_HEADER } from "../../shared/assertion.ts";
import { callerHeaders, createTestUser, testAssertion, testCoreServices } from "../auth/testing.ts";

const JSON_HEADERS = { "content-type": "application/json" };

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return new Request(`http://core.test${path}`, {
    method: "POST",
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify(body),
  });
}

function setCookieOf(res: Response): string {
  return res.headers.getSetCookie().find((c) => c.startsWith("refresh_token=")) ?? "";
}

function cookieValue(res: Response): string {
  return setCookieOf(res).split(";")[0].slice("refresh_token=".length);
}

dbTest(
  "[core] POST /v1/auth/register creates a student, signs them in and sets a strict refresh cookie",
  async (database) => {
    const services = testCoreServices(database);
    const app = createCheckedCoreApp(services);
    const email = `New-${crypto.randomUUID()}@Example.EDU `;
    const res = await app.request(
      post("/v1/auth/register", { email, password: "a fine long passphrase", displayName: "Ada" }),
    );
    assert.equal(res.status, 201);
    assert.equal(res.headers.get("location"), "/api/v1/me", "Location: the new account, read with its token");
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = await res.json();
    assert.equal(body.user.email, email.trim().toLowerCase());
    assert.equal(body.user.role, "STUDENT");
    assert.equal(body.refreshToken, undefined, "the refresh token stays in the cookie unless asked for");
    const cookie = setCookieOf(res);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /Secure/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\/api\/v1\/auth/);
    const header = decodeProtectedHeader(body.accessToken);
    assert.equal(header.alg, "EdDSA");
    assert.ok(header.kid);
    const claims = decodeJwt(body.accessToken);
    assert.equal(claims.sub, body.user.id);
    assert.equal(claims.role, "STUDENT");
    assert.equal(claims.mfa, false);
    assert.equal(claims.iss, services.env.JWT_ISSUER);
    assert.equal(claims.aud, services.env.JWT_AUDIENCE);
    assert.equal(claims.exp! - claims.iat!, 900);
    assert.ok(claims.jti);
    const audits = await database.db.select().from(auditEvents).where(eq(auditEvents.userId, body.user.id));
    assert.deepEqual(audits.map((a) => a.action), ["auth.register"]);
  },
);

dbTest(
  "[core] POST /v1/auth/register refuses bad input, a weak password and a taken email",
  async (database) => {
    const app = createCheckedCoreApp(testCoreServices(database));
    const bad = await app.request(
      post("/v1/auth/register", { email: "not-an-email", password: "a fine long passphrase" }),
    );
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, "VALIDATION_FAILED");
    const email = `taken-${crypto.randomUUID()}@example.edu`;
    const weak = await app.request(post("/v1/auth/register", { email, password: "short" }));
    assert.equal(weak.status, 400);
    assert.match((await weak.json()).error.message, /at least 10/);
    assert.equal(
      (await app.request(post("/v1/auth/register", { email, password: "a fine long passphrase" }))).status,
      201,
    );
    const again = await app.request(
      post("/v1/auth/register", { email: email.toUpperCase(), password: "another passphrase" }),
    );
    assert.equal(again.status, 409);
  },
);

dbTest(
  "[core] POST /v1/auth/login answers the same for a wrong password and an unknown email",
  async (database) => {
    const app = createCheckedCoreApp(testCoreServices(database));
    const user = await createTestUser(database);
    const ok = await app.request(
      post("/v1/auth/login", { email: user.email, password: user.password, refreshTokenInBody: true }),
    );
    assert.equal(ok.status, 200);
    const body = await ok.json();
    assert.equal(body.user.id, user.id);
    assert.equal(typeof body.refreshToken, "string");
    assert.equal(body.refreshToken, cookieValue(ok));
    const wrong = await app.request(
      post("/v1/auth/login", { email: user.email, password: "wrong password" }),
    );
    const unknown = await app.request(
      post("/v1/auth/login", { email: `nobody-${crypto.randomUUID()}@x.edu`, password: "x" }),
    );
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal((await wrong.json()).error.message, (await unknown.json()).error.message);
    const missing = await app.request(post("/v1/auth/login", { email: user.email }));
    assert.equal(missing.status, 400);
  },
);

dbTest("[core] POST /v1/auth/login throttles failures per email and per IP with 429", async (database) => {
  const services = testCoreServices(database, {
    env: { LOGIN_MAX_FAILURES_PER_EMAIL: "3", LOGIN_MAX_FAILURES_PER_IP: "5" },
  });
  const app = createCheckedCoreApp(services);
  const user = await createTestUser(database);
  // The client address as the edge asserts it (anonymous callers carry an assertion too).
  const loginFrom = async (ip: string, body: unknown) => {
    const assertion = await testAssertion(services.env.EDGE_ASSERTION_SECRET!, {
      method: "POST",
      target: "/v1/auth/login",
      body: JSON.stringify(body),
      clientIp: ip,
    });
    return await app.request(post("/v1/auth/login", body, { [ASSERTION_HEADER]: assertion }));
  };
  for (let i = 0; i < 3; i++) {
    assert.equal((await loginFrom("10.0.0.1", { email: user.email, password: "nope" })).status, 401);
  }
  // Even the right password is refused while the email is throttled.
  const blocked = await loginFrom("10.0.0.2", { email: user.email, password: user.password });
  assert.equal(blocked.status, 429);
  assert.ok(blocked.headers.get("retry-after"));
  // Per IP: five failures on different emails from one address block that address for everyone.
  const other = await createTestUser(database);
  for (let i = 0; i < 5; i++) {
    await loginFrom("10.0.0.9", { email: `x${i}-${crypto.randomUUID()}@x.edu`, password: "nope" });
  }
  const ipBlocked = await loginFrom("10.0.0.9", { email: other.email, password: other.password });
  assert.equal(ipBlocked.status, 429);
  const elsewhere = await loginFrom("10.0.0.10", { email: other.email, password: other.password });
  assert.equal(elsewhere.status, 200);
});

dbTest(
  "[core] straight to core, a rotating X-Forwarded-For does not escape the per-IP login throttle",
  async (database) => {
    const app = createCheckedCoreApp(testCoreServices(database, {
      env: { LOGIN_MAX_FAILURES_PER_EMAIL: "100", LOGIN_MAX_FAILURES_PER_IP: "5" },
    }));
    const user = await createTestUser(database);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await app.request(
        post(
          "/v1/auth/login",
          { email: `x${i}-${crypto.randomUUID()}@x.edu`, password: "nope" },
          { "x-forwarded-for": `198.51.100.${i + 1}` },
        ),
      );
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    const right = await app.request(
      post("/v1/auth/login", { email: user.email, password: user.password }, {
        "x-forwarded-for": "192.0.2.77",
      }),
    );
    assert.equal(right.status, 429, "the caller's own address is still the throttled one");
  },
);

dbTest(
  "[core] POST /v1/auth/refresh rotates the token, and reusing an old one revokes the whole family",
  async (database) => {
    const app = createCheckedCoreApp(testCoreServices(database));
    const user = await createTestUser(database);
    const login = await app.request(post("/v1/auth/login", { email: user.email, password: user.password }));
    const first = cookieValue(login);
    const r1 = await app.request(post("/v1/auth/refresh", {}, { cookie: `refresh_token=${first}` }));
    assert.equal(r1.status, 200);
    const second = cookieValue(r1);
    assert.notEqual(second, first);
    assert.equal(decodeJwt((await r1.json()).accessToken).sub, user.id);
    // Body form for non-browser clients.
    const r2 = await app.request(
      post("/v1/auth/refresh", { refreshToken: second, refreshTokenInBody: true }),
    );
    assert.equal(r2.status, 200);
    const third = (await r2.json()).refreshToken;
    assert.equal(typeof third, "string");
    // A thief replays the first token: refused, and the live third token dies with its family.
    const replay = await app.request(post("/v1/auth/refresh", { refreshToken: first }));
    assert.equal(replay.status, 401);
    const afterTheft = await app.request(post("/v1/auth/refresh", { refreshToken: third }));
    assert.equal(afterTheft.status, 401);
    const rows = await database.db.select().from(refreshTokens).where(eq(refreshTokens.userId, user.id));
    assert.equal(rows.length, 3);
    assert.ok(rows.every((r) => r.revokedAt !== null));
    assert.ok(
      rows.every((r) => r.tokenHash !== first && r.tokenHash.length === 64),
      "only hashes are stored",
    );
    const audits = await database.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    assert.ok(audits.some((a) => a.action === "auth.refresh_reuse"));
  },
);

dbTest("[core] POST /v1/auth/refresh refuses a missing, unknown or expired token", async (database) => {
  const app = createCheckedCoreApp(testCoreServices(database));
  assert.equal((await app.request(post("/v1/auth/refresh", {}))).status, 401);
  assert.equal((await app.request(post("/v1/auth/refresh", { refreshToken: "made-up" }))).status, 401);
  const user = await createTestUser(database);
  const login = await app.request(post("/v1/auth/login", { email: user.email, password: user.password }));
  await database.db.update(refreshTokens).set({ expiresAt: new Date(Date.now() - 1000) })
    .where(eq(refreshTokens.userId, user.id));
  assert.equal(
    (await app.request(post("/v1/auth/refresh", { refreshToken: cookieValue(login) }))).status,
    401,
  );
});

dbTest(
  "[core] POST /v1/auth/logout revokes the session and puts the access token's jti on the revocation list",
  async (database) => {
    const services = testCoreServices(database);
    const app = createCheckedCoreApp(services);
    const user = await createTestUser(database);
    const login = await app.request(post("/v1/auth/login", { email: user.email, password: user.password }));
    const refresh = cookieValue(login);
    const jti = "jti-" + crypto.randomUUID();
    const exp = Math.floor(Date.now() / 1000) + 600;
    const assertion = await testAssertion(services.env.EDGE_ASSERTION_SECRET!, {
      identity: { userId: user.id, role: user.role, jti, exp, mfa: false },
      method: "POST",
      target: "/v1/auth/logout",
      body: "{}",
    });
    const res = await app.request(
      post("/v1/auth/logout", {}, { cookie: `refresh_token=${refresh}`, "x-edge-assertion": assertion }),
    );
    assert.equal(res.status, 204);
    assert.match(setCookieOf(res), /Max-Age=0/);
    assert.equal(await services.kv.get(revokedJtiKey(jti)), "1");
    assert.equal((await app.request(post("/v1/auth/refresh", { refreshToken: refresh }))).status, 401);
    // A forged assertion is refused even on this lenient route.
    const forged = await app.request(
      post("/v1/auth/logout", {}, { "x-edge-assertion": "forged.token.here" }),
    );
    assert.equal(forged.status, 401);
  },
);

dbTest(
  "[core] POST /v1/auth/password changes the password, signs out every session, and checks the old one",
  async (database) => {
    const services = testCoreServices(database);
    const app = createCheckedCoreApp(services);
    const user = await createTestUser(database);
    const login = await app.request(post("/v1/auth/login", { email: user.email, password: user.password }));
    const headers = (body: unknown) =>
      callerHeaders(services, user, "POST", "/v1/auth/password", { body: JSON.stringify(body) });
    const asUser = async (body: unknown) => post("/v1/auth/password", body, await headers(body));
    const wrong = await app.request(
      await asUser({ currentPassword: "wrong", newPassword: "brand new passphrase" }),
    );
    assert.equal(wrong.status, 401);
    const weak = await app.request(await asUser({ currentPassword: user.password, newPassword: "short" }));
    assert.equal(weak.status, 400);
    const anonymous = await app.request(
      post("/v1/auth/password", { currentPassword: user.password, newPassword: "brand new passphrase" }),
    );
    assert.equal(anonymous.status, 401);
    const ok = await app.request(
      await asUser({ currentPassword: user.password, newPassword: "brand new passphrase" }),
    );
    assert.equal(ok.status, 200);
    assert.equal(
      (await app.request(post("/v1/auth/refresh", { refreshToken: cookieValue(login) }))).status,
      401,
      "the old session is gone",
    );
    assert.equal(
      (await app.request(post("/v1/auth/refresh", { refreshToken: cookieValue(ok) }))).status,
      200,
      "the caller's new session works",
    );
    assert.equal(
      (await app.request(post("/v1/auth/login", { email: user.email, password: user.password }))).status,
      401,
    );
    assert.equal(
      (await app.request(post("/v1/auth/login", { email: user.email, password: "brand new passphrase" })))
        .status,
      200,
    );
    const audits = await database.db.select().from(auditEvents).where(eq(auditEvents.userId, user.id));
    assert.ok(audits.some((a) => a.action === "auth.password_changed"));
  },
);

dbTest("[core] login re-hashes a password stored with other argon2 parameters", async (database) => {
  const app = createCheckedCoreApp(testCoreServices(database, { env: { ARGON2_MEMORY_KIB: "128" } }));
  const user = await createTestUser(database); // hashed with m=64
  const res = await app.request(post("/v1/auth/login", { email: user.email, password: user.password }));
  assert.equal(res.status, 200);
  const [row] = await database.db.select().from(users).where(eq(users.id, user.id));
  assert.match(row.passwordHash!, /\$m=128,t=1,p=1\$/);
});
