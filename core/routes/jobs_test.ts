import assert from "node:assert/strict";
import { type Database, schema } from "../../shared/db/client.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { enqueueJob } from "../../shared/jobs/enqueue.ts";
import { makeUser } from "../../workers/jobs/testing.ts";
import { coreClient } from "../testing_client.ts";
import { eq } from "drizzle-orm";

async function setup(database: Database) {
  const owner = { userId: await makeUser(database), role: "STUDENT" as const };
  const other = { userId: await makeUser(database), role: "STUDENT" as const };
  const admin = { userId: await makeUser(database, "ADMIN"), role: "ADMIN" as const };
  const job = await enqueueJob(database.db, {
    type: "notifications.deliver",
    payload: { userId: owner.userId, kind: "k", title: "t" },
    ownerUserId: owner.userId,
    scope: { courseId: crypto.randomUUID() },
  });
  return { owner, other, admin, job, call: coreClient(database) };
}

dbTest("[core] GET /v1/jobs/:id shows the job to its owner and to admins", async (database) => {
  const { owner, admin, job, call } = await setup(database);
  for (const who of [owner, admin]) {
    const res = await call("GET", `/v1/jobs/${job.id}`, who);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = await res.json();
    assert.equal(body.id, job.id);
    assert.equal(body.status, "queued");
    assert.equal(body.progress, 0);
    assert.equal(body.error, null);
    assert.equal(body.type, "notifications.deliver");
  }
});

dbTest(
  "[core] GET /v1/jobs/:id answers 404 to another user, 401 without a caller, 400 on a bad id",
  async (database) => {
    const { other, job, call } = await setup(database);
    assert.equal((await call("GET", `/v1/jobs/${job.id}`, other)).status, 404);
    assert.equal((await call("GET", `/v1/jobs/${job.id}`)).status, 401);
    const bad = await call("GET", "/v1/jobs/not-a-uuid", other);
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, "VALIDATION_FAILED");
  },
);

dbTest("[core] GET /v1/jobs lists jobs for admins with filters and refuses others", async (database) => {
  const { owner, admin, job, call } = await setup(database);
  const res = await call("GET", `/v1/jobs?ownerUserId=${owner.userId}&status=queued`, admin);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(body.items.map((j: { id: string }) => j.id), [job.id]);
  const byCourse = await (await call("GET", `/v1/jobs?courseId=${job.courseId}`, admin)).json();
  assert.deepEqual(byCourse.items.map((j: { id: string }) => j.id), [job.id]);
  const none = await (await call("GET", `/v1/jobs?ownerUserId=${owner.userId}&status=dead`, admin)).json();
  assert.deepEqual(none.items, []);
  assert.equal((await call("GET", "/v1/jobs", owner)).status, 403);
  assert.equal((await call("GET", "/v1/jobs?status=nope", admin)).status, 400);
});

dbTest("[core] POST /v1/jobs/:id/retry queues a dead job again and refuses a live one", async (database) => {
  const { owner, other, admin, job, call } = await setup(database);
  assert.equal((await call("POST", `/v1/jobs/${job.id}/retry`, admin)).status, 409);
  await database.db.update(schema.jobs).set({
    status: "dead",
    attempts: 5,
    lastError: "boom",
    dispatchedAt: new Date(),
  })
    .where(eq(schema.jobs.id, job.id));
  assert.equal((await call("POST", `/v1/jobs/${job.id}/retry`, other)).status, 404);
  const res = await call("POST", `/v1/jobs/${job.id}/retry`, owner);
  assert.equal(res.status, 202);
  const body = await res.json();
  assert.equal(body.status, "queued");
  assert.equal(body.attempts, 0);
  const [row] = await database.db.select().from(schema.jobs).where(eq(schema.jobs.id, job.id));
  assert.equal(row.generation, 1);
  assert.equal(row.dispatchedAt, null);
  const audit = await database.db.select().from(schema.auditEvents)
    .where(eq(schema.auditEvents.target, `job:${job.id}`));
  assert.equal(audit[0]?.action, "job.retry");
});

dbTest(
  "[core] GET /v1/jobs pages with limit and nextCursor, newest first, without repeating a job",
  async (database) => {
    const { owner, admin, job, call } = await setup(database);
    const second = await enqueueJob(database.db, {
      type: "notifications.deliver",
      payload: { userId: owner.userId, kind: "k", title: "t2" },
      ownerUserId: owner.userId,
    });
    const first = await (await call("GET", `/v1/jobs?ownerUserId=${owner.userId}&limit=1`, admin)).json();
    assert.deepEqual(first.items.map((j: { id: string }) => j.id), [second.id]);
    assert.equal(typeof first.nextCursor, "string");
    const next = await call(
      "GET",
      `/v1/jobs?ownerUserId=${owner.userId}&limit=1&cursor=${first.nextCursor}`,
      admin,
    );
    const page2 = await next.json();
    assert.deepEqual(page2.items.map((j: { id: string }) => j.id), [job.id]);
    assert.equal(page2.nextCursor, null);
  },
);
