import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { auditEvents } from "../../shared/db/schema/mod.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { createCheckedCoreApp } from "../testing_contract.ts";
import { callerHeaders, createTestUser, testCoreServices } from "../auth/testing.ts";
import { totpCodeFor } from "../auth/totp.ts";

const json = { "content-type": "application/json" };

dbTest(
  "[core] an admin enrols TOTP, gets mfa tokens, and must then give a code at every login",
  async (database) => {
    const services = testCoreServices(database);
    const app = createCheckedCoreApp(services);
    const admin = await createTestUser(database, { role: "ADMIN" });
    const login = async (body: Record<string, unknown>) =>
      await app.request("/v1/auth/login", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ email: admin.email, password: admin.password, ...body }),
      });
    const first = await login({});
    assert.equal(first.status, 200);
    assert.equal(decodeJwt((await first.json()).accessToken).mfa, false);

    const enrol = await app.request("/v1/auth/2fa/enrol", {
      method: "POST",
      headers: await callerHeaders(services, admin, "POST", "/v1/auth/2fa/enrol", { mfa: false }),
    });
    assert.equal(enrol.status, 200);
    const { secret, otpauthUri } = await enrol.json();
    assert.match(otpauthUri, /^otpauth:\/\/totp\//);

    const verifyHeaders = {
      ...(await callerHeaders(services, admin, "POST", "/v1/auth/2fa/verify", { mfa: false })),
      ...json,
    };
    const wrong = await app.request("/v1/auth/2fa/verify", {
      method: "POST",
      headers: verifyHeaders,
      body: JSON.stringify({ code: "000000" === totpCodeFor(secret) ? "111111" : "000000" }),
    });
    assert.equal(wrong.status, 401);
    const malformed = await app.request("/v1/auth/2fa/verify", {
      method: "POST",
      headers: verifyHeaders,
      body: JSON.stringify({ code: "12ab" }),
    });
    assert.equal(malformed.status, 400);
    // Codes are computed for one instant so a step boundary during the test cannot change which code is "used".
    const enrolAt = Date.now();
    const ok = await app.request("/v1/auth/2fa/verify", {
      method: "POST",
      headers: verifyHeaders,
      body: JSON.stringify({ code: totpCodeFor(secret, enrolAt) }),
    });
    assert.equal(ok.status, 200);
    assert.equal(decodeJwt((await ok.json()).accessToken).mfa, true);
    const audits = await database.db.select().from(auditEvents).where(eq(auditEvents.userId, admin.id));
    assert.ok(audits.some((a) => a.action === "auth.2fa_enrolled"));

    const noCode = await login({});
    assert.equal(noCode.status, 401);
    assert.deepEqual((await noCode.json()).error.details, { mfaRequired: true });
    // The code used to enrol cannot be replayed.
    assert.equal((await login({ totpCode: totpCodeFor(secret, enrolAt) })).status, 401);
    const next = await login({ totpCode: totpCodeFor(secret, enrolAt + 30_000) });
    assert.equal(next.status, 200);
    assert.equal(decodeJwt((await next.json()).accessToken).mfa, true);

    const again = await app.request("/v1/auth/2fa/enrol", {
      method: "POST",
      headers: await callerHeaders(services, admin, "POST", "/v1/auth/2fa/enrol"),
    });
    assert.equal(again.status, 409);
  },
);

dbTest(
  "[core] POST /v1/auth/2fa/enrol needs a verified caller and verify needs enrolment first",
  async (database) => {
    const services = testCoreServices(database);
    const app = createCheckedCoreApp(services);
    assert.equal((await app.request("/v1/auth/2fa/enrol", { method: "POST" })).status, 401);
    const user = await createTestUser(database);
    const res = await app.request("/v1/auth/2fa/verify", {
      method: "POST",
      headers: { ...(await callerHeaders(services, user, "POST", "/v1/auth/2fa/verify")), ...json },
      body: JSON.stringify({ code: "123456" }),
    });
    assert.equal(res.status, 409);
  },
);
