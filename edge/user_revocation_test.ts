/**
 * Per-user revocation through the edge: a role change, a deactivation or a password change ends every session and
 * access token the user had, at once, on every device; core refuses a stale role even when the edge lets it by.
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { changeRole } from "../core/auth/accounts.ts";
import { revokeUserTokens } from "../core/auth/revocation.ts";
import { callerHeaders, createTestUser } from "../core/auth/testing.ts";
import { issueTokenPair } from "../core/auth/tokens.ts";
import { tokenConfig } from "../core/auth/accounts.ts";
import { auditEvents, users } from "../shared/db/schema/mod.ts";
import { dbTest } from "../shared/db/testing.ts";
import type { KvStore } from "../shared/kv/interface.ts";
import { MemoryKv } from "../shared/kv/memory.ts";
import { createTestStack } from "../testing/stack.ts";

const json = { "content-type": "application/json" };

dbTest(
  "[edge] a demoted admin's old access token is refused at once, and so is their refresh token",
  async (database) => {
    const stack = createTestStack(database);
    const admin = await createTestUser(database, { role: "ADMIN" });
    const other = await createTestUser(database, { role: "ADMIN" });
    const old = await stack.bearer(other);
    const session = await issueTokenPair(database.db, tokenConfig(stack.coreServices), {
      userId: other.id,
      role: "ADMIN",
      mfa: true,
    });
    assert.equal((await stack.edge.request("/api/v1/audit?limit=1", { headers: old })).status, 200);

    const demote = await stack.edge.request(`/api/v1/users/${other.id}/role`, {
      method: "PATCH",
      headers: { ...(await stack.bearer(admin)), ...json },
      body: JSON.stringify({ role: "STUDENT" }),
    });
    assert.equal(demote.status, 200);

    for (const path of ["/api/v1/audit?limit=1", "/api/v1/me"]) {
      const res = await stack.edge.request(path, { headers: old });
      assert.equal(res.status, 401, path);
      assert.equal(res.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
    }
    const refresh = await stack.edge.request("/api/v1/auth/refresh", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ refreshToken: session.refreshToken }),
    });
    assert.equal(refresh.status, 401);
    // Signing in again gives a token with the new role, which works.
    const login = await stack.edge.request("/api/v1/auth/login", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: other.email, password: other.password }),
    });
    assert.equal(login.status, 200);
    const fresh = { Authorization: `Bearer ${(await login.json()).accessToken}` };
    assert.equal((await stack.edge.request("/api/v1/me", { headers: fresh })).status, 200);
    assert.equal((await stack.edge.request("/api/v1/audit?limit=1", { headers: fresh })).status, 403);
  },
);

dbTest(
  "[edge] a deactivated user's token, refresh token and password stop working at once",
  async (database) => {
    const stack = createTestStack(database);
    const admin = await createTestUser(database, { role: "ADMIN" });
    const student = await createTestUser(database);
    const old = await stack.bearer(student);
    const session = await issueTokenPair(database.db, tokenConfig(stack.coreServices), {
      userId: student.id,
      role: "STUDENT",
      mfa: false,
    });
    assert.equal((await stack.edge.request("/api/v1/me", { headers: old })).status, 200);

    const student2 = await stack.bearer(await createTestUser(database));
    const refused = await stack.edge.request(`/api/v1/users/${student.id}`, {
      method: "DELETE",
      headers: student2,
    });
    assert.equal(refused.status, 403);
    const res = await stack.edge.request(`/api/v1/users/${student.id}`, {
      method: "DELETE",
      headers: await stack.bearer(admin),
    });
    assert.equal(res.status, 204);

    assert.equal((await stack.edge.request("/api/v1/me", { headers: old })).status, 401);
    const refresh = await stack.edge.request("/api/v1/auth/refresh", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ refreshToken: session.refreshToken }),
    });
    assert.equal(refresh.status, 401);
    const login = await stack.edge.request("/api/v1/auth/login", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: student.email, password: student.password }),
    });
    assert.equal(login.status, 401);
    const [event] = await database.db.select().from(auditEvents).where(
      eq(auditEvents.target, `user:${student.id}`),
    );
    assert.equal(event.action, "user.deactivated");
    assert.equal(event.userId, admin.id);
    // Admins cannot deactivate themselves.
    const self = await stack.edge.request(`/api/v1/users/${admin.id}`, {
      method: "DELETE",
      headers: await stack.bearer(admin),
    });
    assert.equal(self.status, 409);
  },
);

dbTest(
  "[edge] a password change signs out every other device's access token, not only the caller's",
  async (database) => {
    const stack = createTestStack(database);
    const user = await createTestUser(database);
    const otherDevice = await stack.bearer(user);
    const thisDevice = await stack.bearer(user);
    const res = await stack.edge.request("/api/v1/auth/password", {
      method: "POST",
      headers: { ...thisDevice, ...json },
      body: JSON.stringify({ currentPassword: user.password, newPassword: `new-${crypto.randomUUID()}` }),
    });
    assert.equal(res.status, 200);
    const fresh = { Authorization: `Bearer ${(await res.json()).accessToken}` };
    assert.equal((await stack.edge.request("/api/v1/me", { headers: otherDevice })).status, 401);
    assert.equal((await stack.edge.request("/api/v1/me", { headers: thisDevice })).status, 401);
    // The session the change returned was issued after the cut-off and works, even within the same second.
    assert.equal((await stack.edge.request("/api/v1/me", { headers: fresh })).status, 200);
  },
);

dbTest("[edge] revokeUserTokens signs a user out everywhere and later tokens work", async (database) => {
  const stack = createTestStack(database);
  const user = await createTestUser(database);
  const before = await stack.bearer(user);
  const other = await createTestUser(database);
  const bystander = await stack.bearer(other);
  await revokeUserTokens(stack.coreServices, user.id, { reason: "sign_out_everywhere" });
  const after = await stack.bearer(user);
  assert.equal((await stack.edge.request("/api/v1/me", { headers: before })).status, 401);
  assert.equal((await stack.edge.request("/api/v1/me", { headers: after })).status, 200);
  assert.equal((await stack.edge.request("/api/v1/me", { headers: bystander })).status, 200);
});

dbTest(
  "[core] refuses an assertion whose role is no longer the account's, or whose account is deactivated",
  async (database) => {
    // As if the edge could not see the revocation (e.g. another KV): core reads the account itself.
    const stack = createTestStack(database);
    const academic = await createTestUser(database, { role: "ACADEMIC" });
    const headers = await callerHeaders(stack.coreServices, academic, "GET", "/v1/me");
    assert.equal((await stack.core.request("/v1/me", { headers })).status, 200);
    await database.db.update(users).set({ role: "STUDENT" }).where(eq(users.id, academic.id));
    const demoted = await stack.core.request("/v1/me", {
      headers: await callerHeaders(stack.coreServices, academic, "GET", "/v1/me"),
    });
    assert.equal(demoted.status, 401);
    assert.equal(demoted.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
    await database.db.update(users).set({ role: "ACADEMIC", deletedAt: new Date() }).where(
      eq(users.id, academic.id),
    );
    const gone = await stack.core.request("/v1/me", {
      headers: await callerHeaders(stack.coreServices, academic, "GET", "/v1/me"),
    });
    assert.equal(gone.status, 401);
  },
);

dbTest(
  "[core] a role change is refused with 503 and not applied when the revocation cannot be recorded",
  async (database) => {
    const failing: KvStore = Object.assign(new MemoryKv(), {
      set: () => Promise.reject(new Error("redis down")),
    });
    const stack = createTestStack(database, { kv: failing });
    const admin = await createTestUser(database, { role: "ADMIN" });
    const target = await createTestUser(database, { role: "ADMIN" });
    await assert.rejects(
      changeRole(stack.coreServices, admin.id, { userId: target.id, role: "STUDENT" }),
      (err: { status?: number; code?: string }) => err.code === "UNAVAILABLE",
    );
    const [row] = await database.db.select({ role: users.role }).from(users).where(eq(users.id, target.id));
    assert.equal(row.role, "ADMIN");
  },
);
