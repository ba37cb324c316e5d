import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { accountTokens } from "../../shared/db/schema/accounts.ts";
import { refreshTokens } from "../../shared/db/schema/identity.ts";
import { users } from "../../shared/db/schema/users.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { createTestUser } from "../auth/testing.ts";
import { mailTo, tokenFromMail } from "../accounts/testing.ts";
import { createTestStack } from "../../testing/stack.ts";
import { createCoreApp } from "../app.ts";
import { testCoreServices } from "../auth/testing.ts";
import { hashToken } from "../accounts/account_tokens.ts";

const json = { "content-type": "application/json" };
const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { ...json, ...headers },
  body: JSON.stringify(body),
});

async function login(edge: ReturnType<typeof createTestStack>["edge"], email: string, password: string) {
  return await edge.request("/api/v1/auth/login", post({ email, password, refreshTokenInBody: true }));
}

dbTest(
  "[edge] password reset: the link works once, signs out every session, and mails the change",
  async (database) => {
    const stack = createTestStack(database);
    const user = await createTestUser(database);
    const session = await (await login(stack.edge, user.email, user.password)).json();
    const asked = await stack.edge.request(
      "/api/v1/auth/password-reset",
      post({ email: user.email.toUpperCase() }),
    );
    assert.equal(asked.status, 202);
    assert.match(asked.headers.get("content-type") ?? "", /json/);
    const token = await tokenFromMail(database, user.email, "password_reset");
    // Only the hash is stored.
    const [stored] = await database.db.select().from(accountTokens).where(
      eq(accountTokens.tokenHash, await hashToken(token)),
    );
    assert.equal(stored.userId, user.id);

    const reset = await stack.edge.request(
      "/api/v1/auth/password-reset/confirm",
      post({ token, newPassword: "a brand new passphrase" }),
    );
    assert.equal(reset.status, 204);
    // Every refresh family is revoked: the old session cannot be renewed.
    const refresh = await stack.edge.request(
      "/api/v1/auth/refresh",
      post({ refreshToken: session.refreshToken }),
    );
    assert.equal(refresh.status, 401);
    const live = await database.db.select().from(refreshTokens).where(eq(refreshTokens.userId, user.id));
    assert.ok(live.every((r) => r.revokedAt !== null));
    assert.equal((await login(stack.edge, user.email, user.password)).status, 401);
    assert.equal((await login(stack.edge, user.email, "a brand new passphrase")).status, 200);
    // The same link a second time is refused.
    const again = await stack.edge.request(
      "/api/v1/auth/password-reset/confirm",
      post({ token, newPassword: "yet another passphrase" }),
    );
    assert.equal(again.status, 400);
    assert.equal((await again.json()).error.details.reason, "invalid_or_expired_token");
    const templates = (await mailTo(database, user.email)).map((m) => m.template);
    assert.deepEqual(templates.slice(0, 2), ["password_changed", "password_reset"]);
  },
);

dbTest(
  "[edge] password reset answers the same for an unknown address and sends nothing",
  async (database) => {
    const stack = createTestStack(database);
    const email = `ghost-${crypto.randomUUID()}@test.example`;
    const res = await stack.edge.request("/api/v1/auth/password-reset", post({ email }));
    assert.equal(res.status, 202);
    assert.deepEqual(await mailTo(database, email), []);
  },
);

dbTest("[core] an expired reset link is refused and the password stays", async (database) => {
  const services = testCoreServices(database);
  const app = createCoreApp(services);
  const user = await createTestUser(database);
  await app.request("/v1/auth/password-reset", post({ email: user.email }));
  const token = await tokenFromMail(database, user.email, "password_reset");
  await database.db.update(accountTokens).set({ expiresAt: new Date(Date.now() - 1000) })
    .where(eq(accountTokens.tokenHash, await hashToken(token)));
  const res = await app.request(
    "/v1/auth/password-reset/confirm",
    post({ token, newPassword: "another passphrase!" }),
  );
  assert.equal(res.status, 400);
  const [row] = await database.db.select().from(users).where(eq(users.id, user.id));
  assert.equal(row.emailVerified, false);
});

dbTest(
  "[core] only the newest reset link works, and a weak new password keeps the link usable",
  async (database) => {
    const app = createCoreApp(testCoreServices(database));
    const user = await createTestUser(database);
    await app.request("/v1/auth/password-reset", post({ email: user.email }));
    const first = await tokenFromMail(database, user.email, "password_reset");
    await app.request("/v1/auth/password-reset", post({ email: user.email }));
    const second = await tokenFromMail(database, user.email, "password_reset");
    assert.notEqual(first, second);
    assert.equal(
      (await app.request(
        "/v1/auth/password-reset/confirm",
        post({ token: first, newPassword: "x".repeat(12) }),
      )).status,
      400,
    );
    const weak = await app.request(
      "/v1/auth/password-reset/confirm",
      post({ token: second, newPassword: "short" }),
    );
    assert.equal(weak.status, 400);
    const ok = await app.request(
      "/v1/auth/password-reset/confirm",
      post({ token: second, newPassword: "long enough passphrase" }),
    );
    assert.equal(ok.status, 204);
  },
);

dbTest(
  "[core] reset mail is limited per address: the fourth request in the window gets 429",
  async (database) => {
    const app = createCoreApp(testCoreServices(database));
    const user = await createTestUser(database);
    for (let i = 0; i < 3; i++) {
      const res = await app.request(
        "/v1/auth/password-reset",
        post({ email: user.email }, { "x-forwarded-for": `10.0.0.${i}` }),
      );
      assert.equal(res.status, 202);
    }
    const res = await app.request(
      "/v1/auth/password-reset",
      post({ email: user.email }, { "x-forwarded-for": "10.0.0.9" }),
    );
    assert.equal(res.status, 429);
    assert.ok(res.headers.get("retry-after"));
    assert.equal((await mailTo(database, user.email)).length, 3);
  },
);

dbTest("[core] mail requests are limited per client IP across many addresses", async (database) => {
  const app = createCoreApp(testCoreServices(database, { env: { MAIL_LIMIT_PER_IP: "2" } }));
  const ip = { "x-forwarded-for": "192.0.2.77" };
  for (let i = 0; i < 2; i++) {
    assert.equal(
      (await app.request(
        "/v1/auth/password-reset",
        post({ email: `a${i}-${crypto.randomUUID()}@x.test` }, ip),
      )).status,
      202,
    );
  }
  const res = await app.request(
    "/v1/auth/verify-email/resend",
    post({ email: `b-${crypto.randomUUID()}@x.test` }, ip),
  );
  assert.equal(res.status, 429);
});

dbTest("[edge] the edge limits reset requests per IP before core (mail class)", async (database) => {
  const stack = createTestStack(database, { edgeEnv: { RATE_LIMITS: "mail=2/10m" } });
  const codes = [];
  for (let i = 0; i < 3; i++) {
    codes.push(
      (await stack.edge.request(
        "/api/v1/auth/password-reset",
        post({ email: `z${i}-${crypto.randomUUID()}@x.test` }),
      )).status,
    );
  }
  assert.deepEqual(codes, [202, 202, 429]);
});

dbTest("[edge] registration mails a verification link; the link verifies once", async (database) => {
  const stack = createTestStack(database);
  const email = `new-${crypto.randomUUID()}@test.example`;
  const reg = await stack.edge.request(
    "/api/v1/auth/register",
    post({ email, password: "correct horse battery" }),
  );
  assert.equal(reg.status, 201);
  assert.equal((await reg.json()).user.emailVerified, false);
  const token = await tokenFromMail(database, email, "verify_email");
  const res = await stack.edge.request("/api/v1/auth/verify-email", post({ token }));
  assert.equal(res.status, 200);
  assert.equal((await res.json()).user.emailVerified, true);
  assert.equal((await stack.edge.request("/api/v1/auth/verify-email", post({ token }))).status, 400);
});

dbTest(
  "[edge] with EMAIL_VERIFICATION=required an account signs in only after verifying",
  async (database) => {
    const stack = createTestStack(database, { coreEnv: { EMAIL_VERIFICATION: "required" } });
    const email = `req-${crypto.randomUUID()}@test.example`;
    const password = "correct horse battery";
    const reg = await stack.edge.request("/api/v1/auth/register", post({ email, password }));
    assert.equal(reg.status, 202);
    const body = await reg.json();
    assert.equal(body.verificationRequired, true);
    assert.equal(body.accessToken, undefined);
    const early = await login(stack.edge, email, password);
    assert.equal(early.status, 403);
    assert.equal((await early.json()).error.details.emailVerificationRequired, true);
    // A wrong password still gets the generic answer.
    assert.equal((await login(stack.edge, email, "wrong password here")).status, 401);
    const resend = await stack.edge.request("/api/v1/auth/verify-email/resend", post({ email }));
    assert.equal(resend.status, 202);
    const token = await tokenFromMail(database, email, "verify_email");
    assert.equal((await stack.edge.request("/api/v1/auth/verify-email", post({ token }))).status, 200);
    assert.equal((await login(stack.edge, email, password)).status, 200);
  },
);

dbTest(
  "[core] a verification link sent before the address changed does not verify the new one",
  async (database) => {
    const app = createCoreApp(testCoreServices(database));
    const email = `moved-${crypto.randomUUID()}@test.example`;
    const reg = await app.request("/v1/auth/register", post({ email, password: "correct horse battery" }));
    const { user } = await reg.json();
    const token = await tokenFromMail(database, email, "verify_email");
    await database.db.update(users).set({ email: `other-${crypto.randomUUID()}@test.example` }).where(
      eq(users.id, user.id),
    );
    assert.equal((await app.request("/v1/auth/verify-email", post({ token }))).status, 400);
  },
);
