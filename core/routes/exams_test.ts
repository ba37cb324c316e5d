import assert from "node:assert/strict";
import { and, eq, sql } from "drizzle-orm";
import { type Database, schema } from "../../shared/db/client.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { databaseExamLockout } from "../../shared/exams/lockout.ts";
import { notificationKindsFor, seedPdfMaterial } from "../../shared/exams/testing.ts";
import { runJobAsWorker } from "../../workers/jobs/testing.ts";
import { createTestCore, createTestUser } from "../testing.ts";

/** A course with material, a generated draft exam, and a second enrolled student. */
async function draftExam(
  database: Database,
  counts = { multiple_choice: 2, true_false: 2, short_answer: 1 },
) {
  const world = await createAcademicWorld(database);
  await seedPdfMaterial(database, {
    courseId: world.courseA,
    facultyId: world.facultyA,
    semesterId: world.semesterA,
  });
  const classmate = await createTestUser(database, "STUDENT");
  await database.db.insert(schema.enrollments).values({
    userId: classmate.id,
    courseId: world.courseA,
    role: "student",
  });
  const core = createTestCore(database);
  const staff = core.asUser(world.academicOwn);
  const res = await staff.request("POST", `/v1/courses/${world.courseA}/exams`, {
    title: "Quiz",
    blueprint: { counts },
  });
  assert.equal(res.status, 202);
  const { examId, jobId } = await res.json();
  assert.equal(await runJobAsWorker(database, jobId), "succeeded");
  const keys = await database.db.select().from(schema.examItems).where(eq(schema.examItems.examId, examId));
  return { world, core, staff, student: core.asUser(world.studentEnrolled), classmate, examId, keys };
}

const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();

async function attemptRow(database: Database, id: string) {
  const [row] = await database.db.select().from(schema.examAttempts).where(eq(schema.examAttempts.id, id));
  return row;
}

dbTest(
  "[core] an exam goes from draft to released; keys, attempts and results stay with who may see them",
  async (database) => {
    const { world, core, staff, student, classmate, examId, keys } = await draftExam(database);

    // Drafts are the staff's alone; another faculty's instructor never sees the exam.
    assert.equal((await student.request("GET", `/v1/exams/${examId}`)).status, 404);
    assert.equal((await core.asUser(world.academicOther).request("GET", `/v1/exams/${examId}`)).status, 404);
    const listed = await (await student.request("GET", `/v1/courses/${world.courseA}/exams`)).json();
    assert.deepEqual(listed.items, []);
    assert.equal(
      (await student.request("POST", `/v1/courses/${world.courseA}/exams`, {
        title: "x",
        blueprint: { counts: { true_false: 1 } },
      }))
        .status,
      403,
    );

    // Draft editing.
    const added = await staff.request("POST", `/v1/exams/${examId}/items`, {
      type: "multiple_choice",
      question: "Which method adds the equations?",
      options: ["elimination", "graphing", "guessing"],
      answerKey: "elimination",
    });
    assert.equal(added.status, 201);
    const item = await added.json();
    assert.equal(
      added.headers.get("location"),
      `/api/v1/exams/${examId}/items/${item.id}`,
      "Location: its URL",
    );
    const bad = await staff.request("PATCH", `/v1/exams/${examId}/items/${item.id}`, {
      answerKey: "nothing",
    });
    assert.equal(bad.status, 400);
    assert.equal((await staff.request("DELETE", `/v1/exams/${examId}/items/${item.id}`)).status, 204);
    assert.equal((await staff.request("PATCH", `/v1/exams/${examId}`, { title: "Quiz 1" })).status, 200);

    const published = await staff.request("POST", `/v1/exams/${examId}/publish`, {
      closesAt: inOneHour(),
      timeLimitMinutes: 30,
      attemptsAllowed: 1,
    });
    assert.equal(published.status, 200);
    assert.ok(
      (await notificationKindsFor(database, world.studentEnrolled.id)).includes("exam.published"),
      "enrolled students are told the exam is published",
    );
    assert.ok(!(await notificationKindsFor(database, world.studentOther.id)).includes("exam.published"));
    assert.equal((await staff.request("POST", `/v1/exams/${examId}/items`, item)).status, 409);

    // The student sees the published exam without keys.
    const seen = await student.request("GET", `/v1/exams/${examId}`);
    assert.equal(seen.status, 200);
    const exam = await seen.json();
    assert.equal(exam.items.length, keys.length);
    assert.ok(exam.items.every((i: Record<string, unknown>) => !("answerKey" in i) && !("citations" in i)));

    const started = await student.request("POST", `/v1/exams/${examId}/attempts`);
    assert.equal(started.status, 201);
    const attempt = await started.json();
    assert.ok(attempt.deadlineAt);
    assert.equal((await student.request("POST", `/v1/exams/${examId}/attempts`)).status, 409);

    const answers = keys.map((k) => ({
      itemId: k.id,
      answer: k.type === "short_answer" ? "something else" : k.answerKey,
    }));
    const saved = await student.request("PUT", `/v1/attempts/${attempt.id}/answers`, { answers });
    assert.equal(saved.status, 200);
    assert.equal((await saved.json()).saved, keys.length);

    // Nobody else reads the attempt.
    assert.equal((await core.asUser(classmate).request("GET", `/v1/attempts/${attempt.id}`)).status, 404);
    assert.equal(
      (await core.asUser(world.academicOther).request("GET", `/v1/attempts/${attempt.id}`)).status,
      404,
    );
    assert.equal(
      (await core.asUser(classmate).request("POST", `/v1/attempts/${attempt.id}/submit`)).status,
      404,
    );

    const submitted = await student.request("POST", `/v1/attempts/${attempt.id}/submit`);
    assert.equal(submitted.status, 202);
    const { jobId } = await submitted.json();
    assert.equal((await student.request("POST", `/v1/attempts/${attempt.id}/submit`)).status, 409);
    assert.equal(
      (await student.request("PUT", `/v1/attempts/${attempt.id}/answers`, { answers })).status,
      409,
    );
    assert.equal(
      (await student.request("POST", `/v1/exams/${examId}/attempts`)).status,
      409,
      "one attempt allowed",
    );

    assert.equal(await runJobAsWorker(database, jobId), "succeeded");
    const graded = await attemptRow(database, attempt.id);
    assert.equal(graded.status, "graded");
    const objective = keys.filter((k) => k.type !== "short_answer").length;
    assert.equal(graded.score, objective);
    assert.equal(graded.maxScore, keys.length);
    assert.ok((await notificationKindsFor(database, world.academicOwn.id)).includes("exam.attempt_graded"));

    // Before release the student sees neither grade nor key.
    const mine = await (await student.request("GET", `/v1/attempts/${attempt.id}`)).json();
    assert.equal(mine.score, null);
    assert.ok(mine.items.every((i: Record<string, unknown>) => !("answerKey" in i)));
    assert.equal((await student.request("GET", `/v1/exams/${examId}/results`)).status, 403);
    assert.equal((await student.request("GET", `/v1/exams/${examId}/review`)).status, 403);

    const results = await (await staff.request("GET", `/v1/exams/${examId}/results`)).json();
    assert.equal(results.attempts.length, 1);
    assert.equal(results.items.length, keys.length);
    // Choice items carry how often each option was picked (she picked every key); short answers carry none.
    for (const stat of results.items) {
      const key = keys.find((k) => k.id === stat.itemId)!;
      if (key.type === "short_answer") assert.equal(stat.choices, null);
      else {
        assert.deepEqual(
          stat.choices.filter((c: { count: number }) => c.count > 0),
          [{ option: key.answerKey, count: 1, key: true }],
        );
      }
    }
    const answerRows = await database.db.select().from(schema.attemptAnswers)
      .where(eq(schema.attemptAnswers.attemptId, attempt.id));
    const short = answerRows.find((a) => a.itemId === keys.find((k) => k.type === "short_answer")!.id)!;
    const overridden = await staff.request("POST", `/v1/answers/${short.id}/override`, {
      score: 1,
      justification: "Fair",
    });
    assert.equal(overridden.status, 200);
    assert.equal((await overridden.json()).attemptScore, objective + 1);
    assert.equal(
      (await student.request("POST", `/v1/answers/${short.id}/override`, { score: 1 })).status,
      403,
    );

    assert.equal(
      (await staff.request("POST", `/v1/exams/${examId}/release`)).status,
      409,
      "close before release",
    );
    assert.equal((await staff.request("POST", `/v1/exams/${examId}/close`)).status, 200);
    assert.equal((await staff.request("POST", `/v1/exams/${examId}/release`)).status, 200);

    const after = await (await student.request("GET", `/v1/exams/${examId}`)).json();
    assert.ok(after.items.every((i: Record<string, unknown>) => typeof i.answerKey === "string"));
    const own = await (await student.request("GET", `/v1/exams/${examId}/results`)).json();
    assert.equal(own.attempts.length, 1);
    assert.equal(own.attempts[0].score, objective + 1);
    assert.equal(own.items, undefined);
    assert.ok(
      (await notificationKindsFor(database, world.studentEnrolled.id)).includes("exam.results_released"),
    );
    assert.ok((await notificationKindsFor(database, classmate.id)).includes("exam.results_released"));

    const audited = await database.db.select({ action: schema.auditEvents.action }).from(schema.auditEvents)
      .where(
        sql`${schema.auditEvents.target} in (${`exam:${examId}`}, ${`attempt:${attempt.id}`}, ${`answer:${short.id}`})`,
      );
    const actions = new Set(audited.map((a) => a.action));
    for (
      const action of ["exam.create", "exam.publish", "exam.submit", "exam.grade_override", "exam.release"]
    ) {
      assert.ok(actions.has(action), `no audit event ${action}`);
    }
  },
);

dbTest(
  "[core] a student cannot submit after the window closes; the attempt was submitted with what was saved",
  async (database) => {
    const { staff, student, examId, keys } = await draftExam(database, {
      multiple_choice: 1,
      true_false: 1,
      short_answer: 0,
    });
    const closesAt = new Date(Date.now() + 1500).toISOString();
    assert.equal((await staff.request("POST", `/v1/exams/${examId}/publish`, { closesAt })).status, 200);
    const attempt = await (await student.request("POST", `/v1/exams/${examId}/attempts`)).json();
    assert.equal(attempt.deadlineAt, closesAt);
    await student.request("PUT", `/v1/attempts/${attempt.id}/answers`, {
      answers: [{ itemId: keys[0].id, answer: keys[0].answerKey }],
    });
    await new Promise((r) => setTimeout(r, Date.parse(closesAt) - Date.now() + 50));

    const late = await student.request("POST", `/v1/attempts/${attempt.id}/submit`);
    assert.equal(late.status, 409);
    assert.equal((await student.request("POST", `/v1/exams/${examId}/attempts`)).status, 409);
    const row = await attemptRow(database, attempt.id);
    assert.equal(row.status, "submitted");
    assert.equal(row.submitKind, "auto");
    assert.ok(row.gradingJobId);
    assert.equal(await runJobAsWorker(database, row.gradingJobId!), "succeeded");
    assert.equal((await attemptRow(database, attempt.id)).score, 1);
  },
);

dbTest("[core] an attempt past its time limit is submitted by the exams.autosubmit job", async (database) => {
  const { staff, student, examId, keys } = await draftExam(database, {
    multiple_choice: 1,
    true_false: 1,
    short_answer: 0,
  });
  await staff.request("POST", `/v1/exams/${examId}/publish`, { closesAt: inOneHour(), timeLimitMinutes: 1 });
  const attempt = await (await student.request("POST", `/v1/exams/${examId}/attempts`)).json();
  await student.request("PUT", `/v1/attempts/${attempt.id}/answers`, {
    answers: keys.map((k) => ({ itemId: k.id, answer: k.answerKey })),
  });
  const [job] = await database.db.select().from(schema.jobs).where(and(
    eq(schema.jobs.type, "exams.autosubmit"),
    sql`${schema.jobs.payload}->>'attemptId' = ${attempt.id}`,
  ));
  assert.equal(job.runAfter.toISOString(), attempt.deadlineAt);
  // Time passes: the minute is up.
  await database.db.update(schema.examAttempts).set({ deadlineAt: new Date(Date.now() - 1000) })
    .where(eq(schema.examAttempts.id, attempt.id));
  assert.equal(await runJobAsWorker(database, job.id), "succeeded");
  const row = await attemptRow(database, attempt.id);
  assert.equal(row.status, "submitted");
  assert.equal(row.submitKind, "auto");
  assert.equal(await runJobAsWorker(database, row.gradingJobId!), "succeeded");
  assert.equal((await attemptRow(database, attempt.id)).score, 2);
});

dbTest(
  "[core] the exam lockout reports an open exam's items for its course only while it is open",
  async (database) => {
    const { world, staff, examId, keys } = await draftExam(database, {
      multiple_choice: 1,
      true_false: 1,
      short_answer: 1,
    });
    const lockout = databaseExamLockout(database);
    assert.deepEqual(await lockout.activeExamsFor(world.courseA), [], "a draft is not open");
    await staff.request("POST", `/v1/exams/${examId}/publish`, { closesAt: inOneHour() });
    const open = await lockout.activeExamsFor(world.courseA);
    assert.equal(open.length, 1);
    assert.equal(open[0].examId, examId);
    assert.equal(open[0].itemTexts.length, keys.length);
    for (const key of keys) assert.ok(open[0].itemTexts.some((t) => t.startsWith(key.question)));
    assert.deepEqual(await lockout.activeExamsFor(world.courseB), []);
    const later = databaseExamLockout(database, () => new Date(Date.now() + 2 * 3_600_000));
    assert.deepEqual(await later.activeExamsFor(world.courseA), [], "closed by its window");
    await staff.request("POST", `/v1/exams/${examId}/close`);
    assert.deepEqual(await lockout.activeExamsFor(world.courseA), []);
  },
);
