import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { auditEvents } from "../../shared/db/schema/mod.ts";
import { dbTest } from "../../shared/db/testing.ts";
import type { Role } from "../../shared/identity.ts";
import { createCheckedCoreApp } from "../testing_contract.ts";
import { createAdmin } from "../auth/accounts.ts";
import { callerHeaders, createTestUser, testCoreServices } from "../auth/testing.ts";

async function changeRole(
  app: ReturnType<typeof createCheckedCoreApp>,
  headersFor: (body: string) => Promise<Record<string, string>>,
  userId: string,
  role: string,
) {
  const body = JSON.stringify({ role });
  return await app.request(`/v1/users/${userId}/role`, {
    method: "PATCH",
    headers: { ...(await headersFor(body)), "content-type": "application/json" },
    body,
  });
}

dbTest("[core] PATCH /v1/users/:id/role lets an admin change a role and audits it", async (database) => {
  const services = testCoreServices(database);
  const app = createCheckedCoreApp(services);
  const admin = await createTestUser(database, { role: "ADMIN" });
  const student = await createTestUser(database);
  const path = `/v1/users/${student.id}/role`;
  const res = await changeRole(
    app,
    (body) => callerHeaders(services, admin, "PATCH", path, { body }),
    student.id,
    "ACADEMIC",
  );
  assert.equal(res.status, 200);
  assert.equal((await res.json()).role, "ACADEMIC");
  const [event] = await database.db.select().from(auditEvents)
    .where(and(eq(auditEvents.action, "user.role_changed"), eq(auditEvents.target, `user:${student.id}`)));
  assert.equal(event.userId, admin.id);
  assert.deepEqual(event.metadata, { from: "STUDENT", to: "ACADEMIC" });
});

dbTest(
  "[core] PATCH /v1/users/:id/role refuses non-admins, admins without 2FA, self-changes and bad input",
  async (database) => {
    const services = testCoreServices(database);
    const app = createCheckedCoreApp(services);
    const admin = await createTestUser(database, { role: "ADMIN" });
    const target = await createTestUser(database);
    const path = `/v1/users/${target.id}/role`;
    for (const role of ["STUDENT", "ACADEMIC"] as Role[]) {
      const caller = await createTestUser(database, { role });
      const res = await changeRole(
        app,
        (body) => callerHeaders(services, caller, "PATCH", path, { body }),
        target.id,
        "ADMIN",
      );
      assert.equal(res.status, 403, role);
    }
    const noMfa = await changeRole(
      app,
      (body) => callerHeaders(services, admin, "PATCH", path, { mfa: false, body }),
      target.id,
      "ADMIN",
    );
    assert.equal(noMfa.status, 403);
    assert.equal((await changeRole(app, () => Promise.resolve({}), target.id, "ADMIN")).status, 401);
    const self = `/v1/users/${admin.id}/role`;
    assert.equal(
      (await changeRole(
        app,
        (body) => callerHeaders(services, admin, "PATCH", self, { body }),
        admin.id,
        "STUDENT",
      ))
        .status,
      409,
    );
    assert.equal(
      (await changeRole(
        app,
        (body) => callerHeaders(services, admin, "PATCH", path, { body }),
        target.id,
        "ROOT",
      )).status,
      400,
    );
    const ghost = crypto.randomUUID();
    const missing = await changeRole(
      app,
      (body) => callerHeaders(services, admin, "PATCH", `/v1/users/${ghost}/role`, { body }),
      ghost,
      "ACADEMIC",
    );
    assert.equal(missing.status, 404);
  },
);

dbTest("createAdmin() creates the first admin, or promotes an existing account", async (database) => {
  const services = testCoreServices(database);
  const email = `root-${crypto.randomUUID()}@example.edu`;
  const made = await createAdmin(services, { email, password: "a long admin passphrase" });
  assert.equal(made.created, true);
  assert.equal(made.user.role, "ADMIN");
  const student = await createTestUser(database);
  const promoted = await createAdmin(services, { email: student.email, password: "ignored passphrase" });
  assert.equal(promoted.created, false);
  assert.equal(promoted.user.role, "ADMIN");
});

dbTest(
  "[core] GET /v1/users?email= finds a user for an admin (any case) and refuses everyone else",
  async (database) => {
    const services = testCoreServices(database);
    const app = createCheckedCoreApp(services);
    const admin = await createTestUser(database, { role: "ADMIN" });
    const student = await createTestUser(database);
    const path = "/v1/users";
    const query = `?email=${encodeURIComponent(student.email.toUpperCase())}`;
    const found = await app.request(path + query, {
      headers: await callerHeaders(services, admin, "GET", path + query),
    });
    assert.equal(found.status, 200);
    const body = await found.json();
    assert.deepEqual(body.items.map((u: { id: string }) => u.id), [student.id]);
    assert.equal(body.nextCursor, null);
    const none = await app.request(`${path}?email=nobody%40uni.example`, {
      headers: await callerHeaders(services, admin, "GET", `${path}?email=nobody%40uni.example`),
    });
    assert.deepEqual((await none.json()).items, []);
    const refused = await app.request(path + query, {
      headers: await callerHeaders(services, student, "GET", path + query),
    });
    assert.equal(refused.status, 403);
  },
);
