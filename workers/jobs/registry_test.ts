/**
 * The job registry is typed by job name: each `@ts-expect-error` below is checked by `deno test` (an unused one fails
 * type checking), so these tests prove both the compile-time refusal and the start-up or run-time one.
 */
import assert from "node:assert/strict";
import { dbTest } from "../../shared/db/testing.ts";
import { enqueueJob } from "../../shared/jobs/enqueue.ts";
import { AppError } from "../../shared/errors.ts";
import { JOB_TYPES } from "../../shared/jobs/payloads.ts";
import { examJobHandlers } from "./handlers/exams.ts";
import { createJobHandlers, jobHandlers } from "./handlers/mod.ts";
import { deliverNotification } from "./handlers/notifications_deliver.ts";
import { ingestDocument } from "./handlers/documents_ingest.ts";
import { purgeDocument } from "./handlers/documents_purge.ts";
import { sendMail } from "./handlers/mail_send.ts";
import { maintenanceHandlers } from "./handlers/maintenance.ts";
import { goldenJobHandlers } from "./handlers/golden.ts";
import { handlerFor, registerJobs } from "./registry.ts";
import { insertJob, jobById, testRunner } from "./testing.ts";
import { runClaimedJob } from "./runner.ts";
import { claimJob } from "./store.ts";

/** Every group but the exams, which each test adds its own way. */
const others = [
  { "notifications.deliver": deliverNotification },
  { "documents.ingest": ingestDocument, "documents.purge": purgeDocument },
  { "mail.send": sendMail },
  maintenanceHandlers,
  goldenJobHandlers(),
] as const;

Deno.test("createJobHandlers() registers each known job type once, under its own type", () => {
  const handlers = createJobHandlers();
  assert.deepEqual(Object.keys(handlers).sort(), [...JOB_TYPES].sort());
  for (const type of JOB_TYPES) assert.equal(handlers[type].type, type);
});

Deno.test("registerJobs() refuses a job type registered twice (a type error, and an error at start-up)", () => {
  assert.throws(
    // @ts-expect-error: "exams.grade" is in two groups.
    () => registerJobs(...others, examJobHandlers(), { "exams.grade": examJobHandlers()["exams.grade"] }),
    { message: 'Job type "exams.grade" is registered twice' },
  );
});

Deno.test("registerJobs() refuses an unknown job type and a handler filed under another type", () => {
  assert.throws(
    // @ts-expect-error: "exams.regrade" is not in shared/jobs/payloads.ts.
    () => registerJobs(...others, examJobHandlers(), { "exams.regrade": examJobHandlers()["exams.grade"] }),
    { message: 'Job type "exams.regrade" is not in shared/jobs/payloads.ts' },
  );
  const exams = examJobHandlers();
  // The autosubmit handler (whose payload has the same shape) filed under "exams.grade".
  const misfiled = {
    "exams.generate": exams["exams.generate"],
    "exams.grade": exams["exams.autosubmit"],
    "exams.autosubmit": exams["exams.autosubmit"],
  };
  assert.throws(
    // @ts-expect-error: a JobHandler<"exams.autosubmit"> is not a JobHandler<"exams.grade">.
    () => registerJobs(...others, misfiled),
    { message: 'The handler of "exams.autosubmit" is registered as "exams.grade"' },
  );
});

Deno.test("registerJobs() refuses a registry that leaves a job type without a handler", () => {
  assert.throws(
    // @ts-expect-error: the exam types have no handler.
    () => registerJobs(...others),
    {
      message:
        'Job types without a handler: "exams.generate", "exams.grade", "exams.autosubmit", "exams.regenerate_item"',
    },
  );
});

Deno.test("handlerFor() finds only the registry's own job types, not Object.prototype's", () => {
  assert.equal(handlerFor(jobHandlers, "mail.send"), jobHandlers["mail.send"]);
  assert.equal(handlerFor(jobHandlers, "toString"), undefined);
  assert.equal(handlerFor(jobHandlers, "__proto__"), undefined);
});

dbTest(
  "enqueueJob() refuses an unknown job type and a payload of the wrong type, at compile time and run time",
  async (database) => {
    await assert.rejects(
      // @ts-expect-error: not a job type.
      () => enqueueJob(database.db, { type: "exams.regrade", payload: { attemptId: crypto.randomUUID() } }),
      (err) => err instanceof AppError && err.message === 'Job type "exams.regrade" is unknown',
    );
    await assert.rejects(
      // @ts-expect-error: `exams.grade` takes an attemptId, not an examId.
      () => enqueueJob(database.db, { type: "exams.grade", payload: { examId: crypto.randomUUID() } }),
      (err) => err instanceof AppError && err.message === 'Payload of job type "exams.grade" is invalid',
    );
  },
);

dbTest(
  "a job row whose type names an Object.prototype member ends dead with no handler, not a crash",
  async (database) => {
    const row = await insertJob(database, { type: "toString", payload: {} });
    const runner = testRunner(database);
    const claim = await claimJob(database.db, row.id, runner);
    assert.equal(claim.state, "claimed");
    if (claim.state !== "claimed") return;
    assert.equal(await runClaimedJob(claim.job, runner), "dead");
    assert.equal((await jobById(database, row.id)).lastError, 'No handler for job type "toString"');
  },
);
