import assert from "node:assert/strict";
import { and, eq, inArray, sql } from "drizzle-orm";
import { accountTokens, scheduleRuns } from "../../shared/db/schema/accounts.ts";
import { auditEvents } from "../../shared/db/schema/audit.ts";
import { chatMessages, chatSessions } from "../../shared/db/schema/chat.ts";
import { jobs } from "../../shared/db/schema/jobs.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { cronMatches, latestSlot, type Schedule, SCHEDULES } from "../../shared/jobs/schedules.ts";
import { enqueueJob } from "../../shared/jobs/enqueue.ts";
import { memoryLogger } from "../../shared/logger.ts";
import { createAcademicWorld } from "../../core/academics/testing.ts";
import { createWorkersApp } from "../app.ts";
import { loadWorkersEnv } from "../env.ts";
import { buildWorkersServices } from "../main.ts";
import { InProcessScheduler } from "./scheduler.ts";
import { makeUser, runJobNow, testRunner } from "./testing.ts";
import { startFakeQStash } from "./testdata/fake_qstash.ts";

Deno.test("cronMatches() reads minutes, hours, lists, ranges and steps in UTC", () => {
  const at = new Date("2026-03-04T03:17:00Z"); // a Wednesday
  assert.ok(cronMatches("17 3 * * *", at));
  assert.ok(cronMatches("*/17 1-5 * 3 3", at));
  assert.ok(cronMatches("0,17 3 4 * *", at));
  assert.ok(!cronMatches("18 3 * * *", at));
  assert.ok(!cronMatches("17 3 * * 0", at));
  assert.equal(
    latestSlot("17 3 * * *", new Date("2026-03-04T10:00:30Z"))?.toISOString(),
    "2026-03-04T03:17:00.000Z",
  );
  assert.equal(
    latestSlot("7 * * * *", new Date("2026-03-04T10:06:00Z"))?.toISOString(),
    "2026-03-04T09:07:00.000Z",
  );
});

dbTest("two in-process schedulers enqueue a schedule's slot once", async (database) => {
  const name = `test-${crypto.randomUUID()}`;
  const schedules: Schedule[] = [{ name, cron: "17 3 * * *", type: "maintenance.expire_tokens" }];
  const now = () => new Date("2026-03-04T10:00:00Z");
  const a = new InProcessScheduler({ database, logger: memoryLogger(), schedules, now });
  const b = new InProcessScheduler({ database, logger: memoryLogger(), schedules, now });
  const [first, second] = await Promise.all([a.tick(), b.tick()]);
  assert.equal(first.length + second.length, 1);
  assert.deepEqual(await a.tick(), []);
  const [run] = await database.db.select().from(scheduleRuns).where(eq(scheduleRuns.name, name));
  assert.equal(run.slot.toISOString(), "2026-03-04T03:17:00.000Z");
  const [job] = await database.db.select().from(jobs).where(eq(jobs.id, run.jobId!));
  assert.equal(job.type, "maintenance.expire_tokens");
  assert.deepEqual(job.payload, { slot: "2026-03-04T03:17:00.000Z" });
});

dbTest(
  "chat retention clears transcripts idle past CHAT_RETENTION_DAYS, keeps recent ones, and is audited",
  async (database) => {
    const w = await createAcademicWorld(database);
    const userId = w.studentEnrolled.id;
    const [old, recent] = await database.db.insert(chatSessions).values([
      { userId, courseId: w.courseA, title: "old questions" },
      { userId, courseId: w.courseA, title: "recent questions" },
    ]).returning();
    await database.db.insert(chatMessages).values([
      { sessionId: old.id, userId, courseId: w.courseA, role: "user", content: "an old private question" },
      { sessionId: recent.id, userId, courseId: w.courseA, role: "user", content: "a new question" },
    ]);
    await database.db.execute(
      sql`update chat_sessions set updated_at = now() - interval '40 days' where id = ${old.id}`,
    );
    const job = await enqueueJob(database.db, { type: "maintenance.chat_retention", payload: {} });
    const runner = testRunner(database, { deps: { retention: { chatDays: 30 } } });
    assert.equal(await runJobNow(database, job.id, runner), "succeeded");
    const messages = await database.db.select().from(chatMessages)
      .where(inArray(chatMessages.sessionId, [old.id, recent.id]));
    assert.equal(messages.find((m) => m.sessionId === old.id)!.content, "");
    assert.equal(messages.find((m) => m.sessionId === recent.id)!.content, "a new question");
    const [oldAfter] = await database.db.select().from(chatSessions).where(eq(chatSessions.id, old.id));
    assert.equal(oldAfter.title, "");
    assert.ok(oldAfter.deletedAt);
    const events = await database.db.select().from(auditEvents).where(
      eq(auditEvents.action, "retention.chat_purged"),
    );
    assert.ok(events.some((e) => (e.metadata as { retentionDays: number }).retentionDays === 30));

    const off = await enqueueJob(database.db, { type: "maintenance.chat_retention", payload: {} });
    assert.equal(await runJobNow(database, off.id, testRunner(database)), "succeeded");
    const [offRow] = await database.db.select().from(jobs).where(eq(jobs.id, off.id));
    assert.match(JSON.stringify(offRow.result), /keep forever/);
  },
);

dbTest("the token sweep deletes account tokens a day past expiry and keeps live ones", async (database) => {
  const userId = await makeUser(database);
  const base = { userId, purpose: "password_reset" as const, email: "x@test.example" };
  const [stale, live] = await database.db.insert(accountTokens).values([
    { ...base, tokenHash: crypto.randomUUID(), expiresAt: new Date(Date.now() - 2 * 86_400_000) },
    { ...base, tokenHash: crypto.randomUUID(), expiresAt: new Date(Date.now() + 3_600_000) },
  ]).returning();
  const job = await enqueueJob(database.db, { type: "maintenance.expire_tokens", payload: {} });
  assert.equal(await runJobNow(database, job.id, testRunner(database)), "succeeded");
  const left = await database.db.select({ id: accountTokens.id }).from(accountTokens)
    .where(and(eq(accountTokens.userId, userId)));
  assert.deepEqual(left.map((r) => r.id), [live.id]);
  assert.notEqual(stale.id, live.id);
});

dbTest("the QStash schedule endpoint refuses unsigned calls", async (database) => {
  const services = buildWorkersServices(
    loadWorkersEnv({ LOG_LEVEL: "error", DATA_DIR: "memory://" }),
    database,
  );
  const res = await createWorkersApp(services).request("/schedules/expire-tokens", {
    method: "POST",
    body: "",
  });
  assert.equal(res.status, 401);
});

dbTest(
  "[qstash] deno task schedules:sync registers every schedule with QStash, and its signed calls enqueue each job once per slot",
  async (database) => {
    const fake = await startFakeQStash();
    const holder: { app?: ReturnType<typeof createWorkersApp> } = {};
    const server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen: () => {} },
      (req) => holder.app ? holder.app.fetch(req) : new Response("starting", { status: 503 }),
    );
    const publicUrl = `http://127.0.0.1:${server.addr.port}`;
    const qstashEnv = {
      QSTASH_URL: fake.url,
      QSTASH_TOKEN: fake.token,
      QSTASH_CURRENT_SIGNING_KEY: fake.currentSigningKey,
      QSTASH_NEXT_SIGNING_KEY: fake.nextSigningKey,
      WORKERS_PUBLIC_URL: publicUrl,
    };
    // The transport is never started: the jobs stay in the outbox for this test to read.
    const services = buildWorkersServices(loadWorkersEnv({ ...qstashEnv, LOG_LEVEL: "error" }), database);
    holder.app = createWorkersApp(services);
    try {
      assert.equal(services.scheduler, undefined, "with QStash configured, no in-process scheduler runs");
      const sync = await new Deno.Command(Deno.execPath(), {
        args: ["task", "--quiet", "schedules:sync"],
        cwd: new URL("../../", import.meta.url).pathname,
        env: { ...qstashEnv, LOG_LEVEL: "error" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const said = new TextDecoder().decode(sync.stdout) + new TextDecoder().decode(sync.stderr);
      assert.ok(sync.success, said);
      // One definition: QStash gets exactly the schedules the in-process scheduler runs.
      assert.deepEqual(
        fake.schedules.map((s) => ({ id: s.scheduleId, cron: s.cron, to: s.destination })),
        SCHEDULES.map((s) => ({ id: s.name, cron: s.cron, to: `${publicUrl}/schedules/${s.name}` })),
      );

      for (const schedule of SCHEDULES) {
        const first = await fake.fireSchedule(schedule.name);
        assert.equal(first.status, 200, first.text);
        const again = await fake.fireSchedule(schedule.name); // QStash retried the call
        assert.equal(again.status, 200, again.text);
        const slots = await database.db.select().from(scheduleRuns)
          .where(eq(scheduleRuns.name, schedule.name));
        assert.ok(JSON.parse(first.text).jobId, `${schedule.name} enqueued a job`);
        // Both calls fall in one minute slot unless a minute boundary fell between them.
        assert.ok(slots.length >= 1 && slots.length <= 2, `${schedule.name}: ${slots.length} slots`);
        // Jobs of this schedule's slots (other tests of this file ran the same job types with other payloads).
        const queued = await database.db.select().from(jobs).where(and(
          eq(jobs.type, schedule.type),
          inArray(sql`${jobs.payload}->>'slot'`, slots.map((s) => s.slot.toISOString())),
        ));
        assert.equal(queued.length, slots.length, `${schedule.name}: one job per slot`);
        assert.deepEqual(queued.map((j) => j.id).sort(), slots.map((s) => s.jobId).sort());
      }
      // A call for a schedule that is not defined is refused even when signed.
      fake.schedules.push({
        scheduleId: "nope",
        cron: "* * * * *",
        destination: `${publicUrl}/schedules/nope`,
        retries: 0,
      });
      assert.equal((await fake.fireSchedule("nope")).status, 404);
    } finally {
      await services.jobs.transport.stop();
      await server.shutdown();
      await fake.close();
    }
  },
);
