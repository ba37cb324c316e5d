/**
 * Grading survives a crash: a real workers process is SIGKILLed while it grades submitted attempts, a new one starts
 * on the same database, and every attempt ends graded exactly once (one set of grades, one notification each).
 */
import assert from "node:assert/strict";
import { eq, inArray, sql } from "drizzle-orm";
import { type Database, schema } from "../../shared/db/client.ts";
import { migrateDatabase } from "../../shared/db/migrate.ts";
import { testBackends } from "../../shared/db/testing.ts";
import { createAcademicWorld } from "../../core/academics/testing.ts";
import { enqueueGrading } from "../../shared/exams/deadlines.ts";
import { createTestUsers } from "../../core/testing.ts";
import { crashTestDatabase, startWorker } from "./testdata/worker_harness.ts";

const script = new URL("./testdata/exam_worker_process.ts", import.meta.url).pathname;

/** A closed exam with two items and three submitted attempts, each with its grading job queued. */
async function submittedAttempts(database: Database): Promise<{ attemptIds: string[]; jobIds: string[] }> {
  const world = await createAcademicWorld(database);
  const [exam] = await database.db.insert(schema.exams).values({
    courseId: world.courseA,
    facultyId: world.facultyA,
    title: "Crash quiz",
    status: "closed",
    blueprint: {},
    createdBy: world.academicOwn.id,
  }).returning();
  const items = await database.db.insert(schema.examItems).values([
    {
      examId: exam.id,
      courseId: world.courseA,
      ordinal: 1,
      type: "true_false" as const,
      question: "True or false: elimination removes a variable.",
      options: ["True", "False"],
      answerKey: "True",
    },
    {
      examId: exam.id,
      courseId: world.courseA,
      ordinal: 2,
      type: "short_answer" as const,
      question: "Fill in the blank: solving one equation for one variable is called _____.",
      answerKey: "substitution",
    },
  ]).returning();
  const students = await createTestUsers(database, [{ role: "STUDENT" }, { role: "STUDENT" }, {
    role: "STUDENT",
  }]);
  const attemptIds: string[] = [];
  const jobIds: string[] = [];
  for (const [i, student] of students.entries()) {
    const [attempt] = await database.db.insert(schema.examAttempts).values({
      examId: exam.id,
      courseId: world.courseA,
      userId: student.id,
      attemptNo: 1,
      status: "submitted",
      submitKind: "manual",
      submittedAt: new Date(),
    }).returning();
    await database.db.insert(schema.attemptAnswers).values([
      {
        attemptId: attempt.id,
        itemId: items[0].id,
        courseId: world.courseA,
        answer: i === 0 ? "False" : "True",
      },
      { attemptId: attempt.id, itemId: items[1].id, courseId: world.courseA, answer: "substitution" },
    ]);
    attemptIds.push(attempt.id);
    jobIds.push(await enqueueGrading(database.db, attempt));
  }
  return { attemptIds, jobIds };
}

for (const kind of testBackends) {
  Deno.test({
    name:
      `[${kind}] a worker killed while grading (SIGKILL) leaves every attempt graded exactly once after restart`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const { dataDir, open, env: databaseEnv } = await crashTestDatabase(kind, "exam-crash-");
      const env: Record<string, string> = { ...databaseEnv, TUTOR_MODEL: "offline" };
      try {
        let database = await open();
        await migrateDatabase(database);
        const { attemptIds, jobIds } = await submittedAttempts(database);
        await database.close();

        const first = startWorker("first worker", env, script);
        await first.waitForLine((l) => l.msg === "grading halfway");
        first.child.kill("SIGKILL");
        assert.equal((await first.child.status).signal, "SIGKILL");
        await first.drained;

        const second = startWorker("second worker", env, script);
        for (const jobId of jobIds) {
          await second.waitForLine((l) => l.msg === "job succeeded" && l.jobId === jobId);
        }
        second.child.kill("SIGTERM");
        await second.child.status;
        await second.drained;

        database = await open();
        try {
          const attempts = await database.db.select().from(schema.examAttempts)
            .where(inArray(schema.examAttempts.id, attemptIds));
          assert.equal(attempts.length, 3);
          for (const a of attempts) {
            assert.equal(a.status, "graded");
            assert.equal(a.maxScore, 2);
          }
          assert.deepEqual(attempts.map((a) => a.score).sort(), [1, 2, 2]);
          const answers = await database.db.select().from(schema.attemptAnswers)
            .where(inArray(schema.attemptAnswers.attemptId, attemptIds));
          assert.equal(answers.length, 6);
          assert.ok(answers.every((a) => a.gradedBy === "auto" && a.score !== null));
          const notes = await database.db.select({
            attemptId: sql<string>`${schema.jobs.payload}->'data'->>'attemptId'`,
          })
            .from(schema.jobs).where(eq(schema.jobs.type, "notifications.deliver"));
          for (const id of attemptIds) {
            assert.equal(
              notes.filter((n) => n.attemptId === id).length,
              1,
              `attempt ${id} graded more than once`,
            );
          }
          const jobs = await database.db.select().from(schema.jobs).where(inArray(schema.jobs.id, jobIds));
          assert.ok(jobs.every((j) => j.status === "succeeded"));
          assert.ok(jobs.some((j) => j.attempts === 2), "no grading job was interrupted");
        } finally {
          await database.close();
        }
      } finally {
        await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      }
    },
  });
}
