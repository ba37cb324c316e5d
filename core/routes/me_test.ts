import assert from "node:assert/strict";
import { dbTest } from "../../shared/db/testing.ts";
import { createCheckedCoreApp } from "../testing_contract.ts";
import { callerHeaders, createTestUser, testCoreServices } from "../auth/testing.ts";

dbTest("[core] GET /v1/me returns the caller's account without secrets", async (database) => {
  const services = testCoreServices(database);
  const app = createCheckedCoreApp(services);
  const user = await createTestUser(database, { role: "ACADEMIC", displayName: "Grace" });
  const res = await app.request("/v1/me", { headers: await callerHeaders(services, user, "GET", "/v1/me") });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = await res.json();
  assert.equal(body.id, user.id);
  assert.equal(body.role, "ACADEMIC");
  assert.equal(body.displayName, "Grace");
  assert.equal(body.mfaEnabled, false);
  assert.equal(body.passwordHash, undefined);
  assert.equal(body.totpSecret, undefined);
});

dbTest(
  "[core] GET /v1/me refuses forged identity headers, a missing assertion and one made for another path",
  async (database) => {
    const services = testCoreServices(database);
    const app = createCheckedCoreApp(services);
    const user = await createTestUser(database, { role: "ADMIN" });
    const forged = await app.request("/v1/me", { headers: { "x-user-id": user.id, "x-user-role": "ADMIN" } });
    assert.equal(forged.status, 401);
    assert.equal(forged.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
    assert.equal((await forged.json()).error.code, "UNAUTHORIZED");
    const otherPath = await app.request("/v1/me", {
      headers: await callerHeaders(services, user, "GET", "/v1/users"),
    });
    assert.equal(otherPath.status, 401);
    const otherSecret = await app.request("/v1/me", {
      headers: await callerHeaders("another-secret-".repeat(3), user, "GET", "/v1/me"),
    });
    assert.equal(otherSecret.status, 401);
  },
);

dbTest("[core] PATCH /v1/me updates the display name and refuses unknown fields", async (database) => {
  const services = testCoreServices(database);
  const app = createCheckedCoreApp(services);
  const user = await createTestUser(database);
  const headers = {
    ...(await callerHeaders(services, user, "PATCH", "/v1/me")),
    "content-type": "application/json",
  };
  const ok = await app.request("/v1/me", {
    method: "PATCH",
    headers,
    body: JSON.stringify({ displayName: "Alan" }),
  });
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).displayName, "Alan");
  const sneaky = await app.request("/v1/me", {
    method: "PATCH",
    headers,
    body: JSON.stringify({ role: "ADMIN" }),
  });
  assert.equal(sneaky.status, 400);
  const tooLong = await app.request("/v1/me", {
    method: "PATCH",
    headers,
    body: JSON.stringify({ displayName: "x".repeat(101) }),
  });
  assert.equal(tooLong.status, 400);
  const anonymous = await app.request("/v1/me", {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(anonymous.status, 401);
});

dbTest("[core] an admin without 2FA may read /v1/me but not change it", async (database) => {
  const services = testCoreServices(database);
  const app = createCheckedCoreApp(services);
  const admin = await createTestUser(database, { role: "ADMIN" });
  const read = await app.request("/v1/me", {
    headers: await callerHeaders(services, admin, "GET", "/v1/me", { mfa: false }),
  });
  assert.equal(read.status, 200);
  const write = await app.request("/v1/me", {
    method: "PATCH",
    headers: {
      ...(await callerHeaders(services, admin, "PATCH", "/v1/me", { mfa: false })),
      "content-type": "application/json",
    },
    body: JSON.stringify({ displayName: "Root" }),
  });
  assert.equal(write.status, 403);
});
