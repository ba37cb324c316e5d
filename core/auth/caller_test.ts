import assert from "node:assert/strict";
import { ASSERTION_HEADER } from "../../shared/assertion.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { KvUnavailableError } from "../../shared/kv/upstash.ts";
import { MemoryKv } from "../../shared/kv/memory.ts";
import { createCoreApp } from "../app.ts";
import { createTestUser, testAssertion, testCoreServices } from "./testing.ts";

const json = { "content-type": "application/json" };

async function adminAssertion(
  secret: string,
  admin: { id: string },
  method: string,
  target: string,
  body?: string,
) {
  return await testAssertion(secret, {
    identity: { userId: admin.id, role: "ADMIN", mfa: true },
    method,
    target,
    body,
  });
}

dbTest("[core] an assertion replayed with another body is refused", async (database) => {
  const services = testCoreServices(database);
  const app = createCoreApp(services);
  const admin = await createTestUser(database, { role: "ADMIN" });
  const student = await createTestUser(database);
  const body = JSON.stringify({ userId: student.id, title: "Exam moved to Monday" });
  const captured = await adminAssertion(
    services.env.EDGE_ASSERTION_SECRET!,
    admin,
    "POST",
    "/v1/notifications",
    body,
  );
  const forged = JSON.stringify({ userId: student.id, title: "Your exam is cancelled" });
  const res = await app.request("/v1/notifications", {
    method: "POST",
    headers: { ...json, [ASSERTION_HEADER]: captured },
    body: forged,
  });
  assert.equal(res.status, 401);
  assert.match((await res.json()).error.message, /another request body/);
});

dbTest("[core] an assertion replayed with another query string is refused", async (database) => {
  const services = testCoreServices(database);
  const app = createCoreApp(services);
  const admin = await createTestUser(database, { role: "ADMIN" });
  const captured = await adminAssertion(
    services.env.EDGE_ASSERTION_SECRET!,
    admin,
    "GET",
    "/v1/audit?limit=1",
  );
  const res = await app.request(`/v1/audit?limit=100&userId=${admin.id}`, {
    headers: { [ASSERTION_HEADER]: captured },
  });
  assert.equal(res.status, 401);
  assert.match((await res.json()).error.message, /another request/);
});

dbTest("[core] the same assertion is accepted once; its second use is refused", async (database) => {
  const services = testCoreServices(database);
  const app = createCoreApp(services);
  const admin = await createTestUser(database, { role: "ADMIN" });
  const assertion = await adminAssertion(
    services.env.EDGE_ASSERTION_SECRET!,
    admin,
    "GET",
    "/v1/audit?limit=1",
  );
  const first = await app.request("/v1/audit?limit=1", { headers: { [ASSERTION_HEADER]: assertion } });
  assert.equal(first.status, 200);
  const second = await app.request("/v1/audit?limit=1", { headers: { [ASSERTION_HEADER]: assertion } });
  assert.equal(second.status, 401);
  // Marked, so the edge tells a resent request (502 to its client) from a bad token (edge/core_resend_test.ts).
  assert.equal(second.headers.get("x-edge-assertion-replayed"), "1");
  assert.match((await second.json()).error.message, /already used/);
});

dbTest(
  "[core] one core process refuses an assertion another process already accepted (shared KV)",
  async (database) => {
    const kv = new MemoryKv();
    const a = createCoreApp(testCoreServices(database, { kv }));
    const services = testCoreServices(database, { kv });
    const b = createCoreApp(services);
    const user = await createTestUser(database);
    const assertion = await testAssertion(services.env.EDGE_ASSERTION_SECRET!, {
      identity: { userId: user.id, role: user.role },
      method: "GET",
      target: "/v1/me",
    });
    assert.equal((await a.request("/v1/me", { headers: { [ASSERTION_HEADER]: assertion } })).status, 200);
    assert.equal((await b.request("/v1/me", { headers: { [ASSERTION_HEADER]: assertion } })).status, 401);
  },
);

dbTest(
  "[core] with the KV down, an admin's assertion is refused (503) and others fall back to this process's seen-set",
  async (database) => {
    const down = new MemoryKv();
    down.incr = () => Promise.reject(new KvUnavailableError("Redis is down"));
    const services = testCoreServices(database, { kv: down });
    const app = createCoreApp(services);
    const secret = services.env.EDGE_ASSERTION_SECRET!;
    const admin = await createTestUser(database, { role: "ADMIN" });
    const asAdmin = await adminAssertion(secret, admin, "GET", "/v1/me");
    const refused = await app.request("/v1/me", { headers: { [ASSERTION_HEADER]: asAdmin } });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "5");
    const student = await createTestUser(database);
    const asStudent = await testAssertion(secret, {
      identity: { userId: student.id, role: "STUDENT" },
      method: "GET",
      target: "/v1/me",
    });
    assert.equal((await app.request("/v1/me", { headers: { [ASSERTION_HEADER]: asStudent } })).status, 200);
    assert.equal((await app.request("/v1/me", { headers: { [ASSERTION_HEADER]: asStudent } })).status, 401);
  },
);

dbTest(
  "[core] an anonymous call's client address comes from its assertion, not X-Forwarded-For",
  async (database) => {
    const services = testCoreServices(database, {
      env: { LOGIN_MAX_FAILURES_PER_EMAIL: "100", LOGIN_MAX_FAILURES_PER_IP: "2" },
    });
    const app = createCoreApp(services);
    const login = async (clientIp: string, xff: string) => {
      const body = JSON.stringify({ email: `x-${crypto.randomUUID()}@x.edu`, password: "nope" });
      const assertion = await testAssertion(services.env.EDGE_ASSERTION_SECRET!, {
        method: "POST",
        target: "/v1/auth/login",
        body,
        clientIp,
      });
      const res = await app.request("/v1/auth/login", {
        method: "POST",
        headers: { ...json, [ASSERTION_HEADER]: assertion, "x-forwarded-for": xff },
        body,
      });
      return res.status;
    };
    assert.deepEqual(
      [
        await login("203.0.113.1", "1.1.1.1"),
        await login("203.0.113.1", "2.2.2.2"),
        await login("203.0.113.1", "3.3.3.3"),
      ],
      [401, 401, 429],
    );
    assert.equal(await login("203.0.113.2", "1.1.1.1"), 401, "another asserted address is not throttled");
  },
);

dbTest(
  "[core] a signed-in caller's account is read while the replay check waits on the KV, not after it",
  async (database) => {
    const events: string[] = [];
    const kv = new MemoryKv();
    const incr = kv.incr.bind(kv);
    kv.incr = async (key, options) => {
      events.push("replay check sent");
      await new Promise((r) => setTimeout(r, 30)); // a KV round trip
      events.push("replay check answered");
      return await incr(key, options);
    };
    const db = new Proxy(database.db, {
      get(target, prop) {
        if (prop === "select") events.push("database read");
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const services = testCoreServices(database, { kv, overrides: { database: { ...database, db } } });
    const app = createCoreApp(services);
    const user = await createTestUser(database);
    const secret = services.env.EDGE_ASSERTION_SECRET!;
    const assertion = await testAssertion(secret, {
      identity: { userId: user.id, role: user.role },
      method: "GET",
      target: "/v1/me",
    });
    const res = await app.request("/v1/me", { headers: { [ASSERTION_HEADER]: assertion } });
    assert.equal(res.status, 200);
    assert.ok(
      events.indexOf("database read") < events.indexOf("replay check answered"),
      `the account read waited for the replay check: ${events.join(", ")}`,
    );
    // Still refused on its second use, with the read started beside the check left unused.
    const again = await app.request("/v1/me", { headers: { [ASSERTION_HEADER]: assertion } });
    assert.equal(again.status, 401);
    assert.equal(again.headers.get("x-edge-assertion-replayed"), "1");
  },
);
