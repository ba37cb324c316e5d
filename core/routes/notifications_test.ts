import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { schema } from "../../shared/db/client.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { runClaimedJob } from "../../workers/jobs/runner.ts";
import { claimJob } from "../../workers/jobs/store.ts";
import { makeUser, testRunner } from "../../workers/jobs/testing.ts";
import { coreClient } from "../testing_client.ts";

dbTest(
  "[core] an admin's notification is accepted as a job, delivered by the worker, listed and marked read",
  async (database) => {
    const call = coreClient(database);
    const user = { userId: await makeUser(database), role: "STUDENT" as const };
    const admin = { userId: await makeUser(database, "ADMIN"), role: "ADMIN" as const };

    const sent = await call("POST", "/v1/notifications", admin, { userId: user.userId, title: "Exam moved" });
    assert.equal(sent.status, 202);
    const { jobId, statusUrl } = await sent.json();
    assert.equal(statusUrl, `/api/v1/jobs/${jobId}`);
    assert.deepEqual((await (await call("GET", "/v1/notifications", user)).json()).items, []);

    const runner = testRunner(database);
    const claim = await claimJob(database.db, jobId, runner);
    assert.equal(claim.state, "claimed");
    if (claim.state === "claimed") assert.equal(await runClaimedJob(claim.job, runner), "succeeded");
    const status = await (await call("GET", statusUrl.slice("/api".length), admin)).json();
    assert.equal(status.status, "succeeded");
    assert.equal(status.resultUrl, "/api/v1/notifications");

    const list = await call("GET", "/v1/notifications?unread=true", user);
    assert.equal(list.status, 200);
    const [note] = (await list.json()).items;
    assert.equal(note.title, "Exam moved");
    assert.equal(note.kind, "announcement");
    assert.equal(note.readAt, null);

    const read = await call("POST", `/v1/notifications/${note.id}/read`, user);
    assert.equal(read.status, 200);
    assert.ok((await read.json()).readAt);
    assert.deepEqual(
      (await (await call("GET", "/v1/notifications?unread=true", user)).json()).items,
      [],
    );
    const [row] = await database.db.select().from(schema.notifications).where(
      eq(schema.notifications.id, note.id),
    );
    assert.ok(row.readAt);
  },
);

dbTest("[core] notifications are private, sending needs an admin and a live user", async (database) => {
  const call = coreClient(database);
  const user = { userId: await makeUser(database), role: "STUDENT" as const };
  const other = { userId: await makeUser(database), role: "STUDENT" as const };
  const admin = { userId: await makeUser(database, "ADMIN"), role: "ADMIN" as const };
  const [note] = await database.db.insert(schema.notifications).values({
    userId: user.userId,
    kind: "k",
    title: "Private",
  }).returning();
  assert.equal((await call("POST", `/v1/notifications/${note.id}/read`, other)).status, 404);
  assert.deepEqual((await (await call("GET", "/v1/notifications", other)).json()).items, []);
  assert.equal((await call("GET", "/v1/notifications")).status, 401);
  assert.equal(
    (await call("POST", "/v1/notifications", user, { userId: other.userId, title: "x" })).status,
    403,
  );
  assert.equal(
    (await call("POST", "/v1/notifications", admin, { userId: crypto.randomUUID(), title: "x" })).status,
    404,
  );
  assert.equal((await call("POST", "/v1/notifications", admin, { userId: user.userId })).status, 400);
});
