import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { auditEvents } from "../../shared/db/schema/mod.ts";
import { users } from "../../shared/db/schema/users.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { userTokensRevokedBeforeKey } from "../../shared/access_token.ts";
import { createTestCore, createTestUser } from "../testing.ts";

type Json = Record<string, unknown>;

async function auditOf(
  database: Parameters<Parameters<typeof dbTest>[1]>[0],
  action: string,
  userId: string,
) {
  return await database.db.select().from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.target, `user:${userId}`)));
}

dbTest(
  "[core] an admin deactivates and reactivates an account; the directory lists each state",
  async (database) => {
    const world = await createAcademicWorld(database);
    const core = createTestCore(database);
    const admin = core.asUser(world.admin);
    const person = await createTestUser(database, "STUDENT");
    assert.equal((await admin.request("DELETE", `/v1/users/${person.id}`)).status, 204);
    const email = encodeURIComponent(person.email);
    assert.deepEqual((await (await admin.request("GET", `/v1/users?email=${email}`)).json()).items, []);
    const gone = await (await admin.request("GET", `/v1/users?email=${email}&status=deactivated`)).json();
    assert.deepEqual(gone.items.map((u: Json) => u.id), [person.id]);
    assert.ok(gone.items[0].deactivatedAt);

    const back = await admin.request("POST", `/v1/users/${person.id}/reactivate`);
    assert.equal(back.status, 200);
    assert.equal((await back.json()).id, person.id);
    const live = await (await admin.request("GET", `/v1/users?email=${email}`)).json();
    assert.equal(live.items[0].deactivatedAt, null);
    const [event] = await auditOf(database, "user.reactivated", person.id);
    assert.equal(event.userId, world.admin.id);

    // A live account cannot be reactivated; the refusal says why.
    const again = await admin.request("POST", `/v1/users/${person.id}/reactivate`);
    assert.equal(again.status, 409);
    assert.match((await again.json()).error.message, /not deactivated/);
    // Nor one whose email a newer live account took.
    assert.equal((await admin.request("DELETE", `/v1/users/${person.id}`)).status, 204);
    await createTestUser(database, "STUDENT", { email: person.email });
    const taken = await admin.request("POST", `/v1/users/${person.id}/reactivate`);
    assert.equal(taken.status, 409);
    assert.match((await taken.json()).error.message, /Another live account/);
    const [row] = await database.db.select().from(users).where(eq(users.id, person.id));
    assert.ok(row.deletedAt, "still deactivated");

    assert.equal((await admin.request("POST", `/v1/users/${crypto.randomUUID()}/reactivate`)).status, 404);
    assert.equal(
      (await core.asUser(world.academicOwn).request("POST", `/v1/users/${person.id}/reactivate`)).status,
      403,
    );
  },
);

dbTest("[core] an admin unlocks a throttled account and signs a user out everywhere", async (database) => {
  const world = await createAcademicWorld(database);
  const core = createTestCore(database);
  const admin = core.asUser(world.admin);
  const person = await createTestUser(database, "STUDENT");
  const key = `auth:login-fail:email:${person.email}`;
  await core.services.kv.set(key, JSON.stringify({ n: 9, last: Date.now() }), { ttlMs: 60_000 });
  const unlocked = await admin.request("POST", `/v1/users/${person.id}/unlock`);
  assert.equal(unlocked.status, 200);
  assert.deepEqual(await unlocked.json(), { failures: 9 });
  assert.equal(await core.services.kv.get(key), null);
  const [unlockEvent] = await auditOf(database, "user.unlocked", person.id);
  assert.deepEqual(unlockEvent.metadata, { failures: 9 });

  const before = Date.now();
  assert.equal((await admin.request("POST", `/v1/users/${person.id}/sign-out`)).status, 204);
  const cutOff = Number(await core.services.kv.get(userTokensRevokedBeforeKey(person.id)));
  assert.ok(cutOff >= before, "tokens issued before now are refused");
  const [signOutEvent] = await auditOf(database, "user.signed_out_everywhere", person.id);
  assert.equal(signOutEvent.userId, world.admin.id);

  assert.equal((await admin.request("POST", `/v1/users/${crypto.randomUUID()}/sign-out`)).status, 404);
  assert.equal((await admin.request("POST", `/v1/users/${crypto.randomUUID()}/unlock`)).status, 404);
  assert.equal(
    (await core.asUser(world.studentEnrolled).request("POST", `/v1/users/${person.id}/unlock`)).status,
    403,
  );
});
