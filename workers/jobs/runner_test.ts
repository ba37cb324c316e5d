import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { schema } from "../../shared/db/client.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { enqueueJob } from "../../shared/jobs/enqueue.ts";
import { JOB_TYPES } from "../../shared/jobs/payloads.ts";
import { jobHandlers } from "./handlers/mod.ts";
import { runClaimedJob } from "./runner.ts";
import { claimJob } from "./store.ts";
import { insertJob, jobById, makeUser, testRunner } from "./testing.ts";
import { z } from "zod";

async function claimAndRun(runner: ReturnType<typeof testRunner>, id: string) {
  const claim = await claimJob(runner.database.db, id, runner);
  if (claim.state !== "claimed") throw new Error(`job was ${claim.state}`);
  return runClaimedJob(claim.job, runner);
}

Deno.test("every job type in shared/jobs/payloads.ts has a handler", () => {
  for (const type of JOB_TYPES) assert.ok(jobHandlers[type], `no handler for ${type}`);
});

dbTest("a notifications.deliver job inserts one notification, even when run twice", async (database) => {
  const userId = await makeUser(database);
  const job = await database.db.transaction((tx) =>
    enqueueJob(tx, {
      type: "notifications.deliver",
      payload: { userId, kind: "test", title: "Hello" },
      ownerUserId: userId,
    })
  );
  const runner = testRunner(database);
  assert.equal(await claimAndRun(runner, job.id), "succeeded");
  const done = await jobById(database, job.id);
  assert.equal(done.status, "succeeded");
  assert.equal(done.progress, 100);
  assert.equal(done.resultUrl, "/api/v1/notifications");
  assert.ok(done.finishedAt);

  // A re-run of the same job (e.g. after a crash before the success was recorded) converges: still one row.
  const again = await runClaimedJob({ ...done, status: "running" }, testRunner(database));
  assert.equal(again, "lost");
  await database.db.update(schema.jobs).set({ status: "queued" }).where(eq(schema.jobs.id, job.id));
  assert.equal(await claimAndRun(testRunner(database), job.id), "succeeded");
  const rows = await database.db.select().from(schema.notifications).where(
    eq(schema.notifications.jobId, job.id),
  );
  assert.equal(rows.length, 1);
  assert.equal(rows[0].userId, userId);
  assert.equal(rows[0].title, "Hello");
});

dbTest("a job whose payload fails validation is dead at once with the validation error", async (database) => {
  const job = await insertJob(database, { type: "notifications.deliver", payload: { userId: "nope" } });
  const runner = testRunner(database);
  assert.equal(await claimAndRun(runner, job.id), "dead");
  const row = await jobById(database, job.id);
  assert.equal(row.status, "dead");
  assert.equal(row.attempts, 1);
  assert.match(row.lastError ?? "", /Invalid payload/);
  assert.match(row.lastError ?? "", /userId/);
});

dbTest("a job of an unknown type is dead with a reason", async (database) => {
  const job = await insertJob(database, { type: "nothing.here", payload: {} });
  assert.equal(await claimAndRun(testRunner(database), job.id), "dead");
  assert.match((await jobById(database, job.id)).lastError ?? "", /No handler for job type "nothing.here"/);
});

dbTest(
  "a handler that always throws is retried with backoff, then dead with its last error",
  async (database) => {
    let calls = 0;
    const runner = testRunner(database, {
      maxAttempts: 3,
      backoff: { baseMs: 1000, maxMs: 60_000, random: () => 0.5 },
      registry: {
        "test.always_fails": {
          schema: z.object({}),
          run: () => Promise.reject(new Error(`boom ${++calls}`)),
        },
      },
    });
    const job = await insertJob(database, { type: "test.always_fails", payload: {} });

    assert.equal(await claimAndRun(runner, job.id), "retry");
    let row = await jobById(database, job.id);
    assert.equal(row.status, "failed");
    assert.equal(row.lastError, "boom 1");
    // Backoff with jitter: between a quarter and all of the 1 s ceiling after the first failure.
    const delay = row.runAfter.getTime() - row.updatedAt.getTime();
    assert.ok(delay > 200 && delay <= 1100, `delay ${delay}`);

    assert.equal(await claimAndRun(runner, job.id), "retry");
    row = await jobById(database, job.id);
    const delay2 = row.runAfter.getTime() - row.updatedAt.getTime();
    assert.ok(delay2 > 500 && delay2 <= 2100, `second delay ${delay2}`);

    assert.equal(await claimAndRun(runner, job.id), "dead");
    row = await jobById(database, job.id);
    assert.equal(row.status, "dead");
    assert.equal(row.attempts, 3);
    assert.equal(row.lastError, "boom 3");
    assert.equal(calls, 3);
    assert.ok(runner.logger.lines.some((l) => l.msg === "job dead" && l.error === "boom 3"));
  },
);

dbTest("a job with its own max_attempts uses it instead of the worker's default", async (database) => {
  const runner = testRunner(database, {
    maxAttempts: 10,
    registry: { "test.fails": { schema: z.object({}), run: () => Promise.reject(new Error("no")) } },
  });
  const job = await insertJob(database, { type: "test.fails", payload: {}, maxAttempts: 1 });
  assert.equal(await claimAndRun(runner, job.id), "dead");
});

dbTest("progress reported by a handler is stored on the job", async (database) => {
  const seen: number[] = [];
  const runner = testRunner(database, {
    registry: {
      "test.progress": {
        schema: z.object({}),
        run: async (ctx) => {
          await ctx.reportProgress(42.4);
          seen.push((await jobById(database, ctx.job.id)).progress);
          return { result: { ok: true } };
        },
      },
    },
  });
  const job = await insertJob(database, { type: "test.progress", payload: {} });
  assert.equal(await claimAndRun(runner, job.id), "succeeded");
  assert.deepEqual(seen, [42]);
  assert.deepEqual((await jobById(database, job.id)).result, { ok: true });
});

dbTest("enqueueJob() refuses a payload that does not match its type's schema", async (database) => {
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    enqueueJob(database.db, { type: "notifications.deliver", payload: { userId: "x" } as any }),
    /Payload of job type "notifications.deliver" is invalid/,
  );
});

dbTest("a job enqueued in a transaction that rolls back leaves no row (outbox)", async (database) => {
  const userId = await makeUser(database);
  let id = "";
  await assert.rejects(database.db.transaction(async (tx) => {
    id = (await enqueueJob(tx, { type: "notifications.deliver", payload: { userId, kind: "k", title: "t" } }))
      .id;
    throw new Error("domain write failed");
  }));
  assert.equal(await jobById(database, id), undefined);
});
