import assert from "node:assert/strict";
import { dbTest } from "../../shared/db/testing.ts";
import { callerHeaders, createTestUser, testCoreServices } from "../auth/testing.ts";
import { totpCodeFor } from "../auth/totp.ts";
import { createCheckedCoreApp } from "../testing_contract.ts";

const json = { "content-type": "application/json" };

dbTest("[core] GET /v1/auth/providers says no external sign-in when none is configured", async (database) => {
  const app = createCheckedCoreApp(testCoreServices(database));
  const res = await app.request("/v1/auth/providers");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  assert.deepEqual(await res.json(), { google: null, oidc: [] });
});

dbTest(
  "[core] GET /v1/auth/providers lists Google's client id and the OIDC providers by name",
  async (database) => {
    const app = createCheckedCoreApp(testCoreServices(database, {
      env: {
        GOOGLE_CLIENT_ID: "web.apps.googleusercontent.com",
        OIDC_PROVIDERS: JSON.stringify([{
          id: "uni",
          name: "University SSO",
          issuer: "https://sso.example",
          clientId: "c",
        }]),
      },
    }));
    const res = await app.request("/v1/auth/providers");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(body, {
      google: { clientId: "web.apps.googleusercontent.com" },
      oidc: [{ id: "uni", name: "University SSO" }],
    });
    assert.ok(!JSON.stringify(body).includes("issuer"), "only what a sign-in button needs is public");
  },
);

dbTest(
  "[core] POST /v1/auth/2fa/disable turns 2FA off with a current code, not without, and never for admins",
  async (database) => {
    const services = testCoreServices(database);
    const app = createCheckedCoreApp(services);
    const student = await createTestUser(database, { role: "STUDENT" });
    const call = async (path: string, body: Record<string, unknown> = {}, who = student) => {
      const text = JSON.stringify(body);
      return await app.request(path, {
        method: "POST",
        headers: { ...(await callerHeaders(services, who, "POST", path, { body: text })), ...json },
        body: text,
      });
    };
    const notOn = await call("/v1/auth/2fa/disable", { code: "123456" });
    assert.equal(notOn.status, 409);

    const { secret } = await (await call("/v1/auth/2fa/enrol")).json();
    const at = Date.now();
    assert.equal((await call("/v1/auth/2fa/verify", { code: totpCodeFor(secret, at) })).status, 200);

    const malformed = await call("/v1/auth/2fa/disable", { code: "12ab" });
    assert.equal(malformed.status, 400);
    const wrongCode = totpCodeFor(secret, at + 30_000) === "000000" ? "111111" : "000000";
    const wrong = await call("/v1/auth/2fa/disable", { code: wrongCode });
    assert.equal(wrong.status, 401);
    const off = await call("/v1/auth/2fa/disable", { code: totpCodeFor(secret, at + 30_000) });
    assert.equal(off.status, 204);

    const login = await app.request("/v1/auth/login", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: student.email, password: student.password }),
    });
    assert.equal(login.status, 200, "signing in needs no code any more");

    const admin = await createTestUser(database, { role: "ADMIN" });
    const refused = await call("/v1/auth/2fa/disable", { code: "123456" }, admin);
    assert.equal(refused.status, 403);
  },
);
