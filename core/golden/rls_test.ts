/** Row-level security of golden sets: raw SQL as the application role sees a course's set only as its managers. */
import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import { queryRows, schema } from "../../shared/db/client.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { withCallerTx } from "../scope/caller_tx.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { queueGoldenRun } from "../../shared/golden/queue.ts";

dbTest("RLS shows golden questions and runs to the course's managers and admins only", async (database) => {
  const w = await createAcademicWorld(database);
  const [q] = await database.db.insert(schema.goldenQuestions).values({
    courseId: w.courseA,
    question: "What is elimination?",
    expectedQuote: "add the equations",
  }).returning();
  const { run } = await queueGoldenRun(database.db, {
    courseId: w.courseA,
    facultyId: w.facultyA,
    trigger: "manual",
  });
  const seen = (user: { id: string; role: "ADMIN" | "ACADEMIC" | "STUDENT" }) =>
    withCallerTx(database, { userId: user.id, role: user.role }, async (tx) => ({
      questions:
        (await queryRows<{ id: string }>(tx, sql`select id from golden_questions where id = ${q.id}::uuid`))
          .length,
      runs: (await queryRows<{ id: string }>(tx, sql`select id from golden_runs where id = ${run.id}::uuid`))
        .length,
    }));
  assert.deepEqual(await seen(w.academicOwn), { questions: 1, runs: 1 });
  assert.deepEqual(await seen(w.admin), { questions: 1, runs: 1 });
  // An enrolled student reads the course, but not its golden set.
  assert.deepEqual(await seen(w.studentEnrolled), { questions: 0, runs: 0 });
  assert.deepEqual(await seen(w.academicOther), { questions: 0, runs: 0 });
  // Nor can they write one into it.
  await assert.rejects(() =>
    withCallerTx(
      database,
      { userId: w.studentEnrolled.id, role: "STUDENT" },
      (tx) =>
        tx.insert(schema.goldenQuestions).values({
          courseId: w.courseA,
          question: "Sneaky?",
          expectedQuote: "anything",
        }),
    ), (err: unknown) => /row-level security/.test(String((err as { cause?: unknown }).cause ?? err)));
});
