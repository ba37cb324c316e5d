import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { schema } from "../../shared/db/client.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { seedPdfMaterial } from "../../shared/exams/testing.ts";
import { runJobAsWorker } from "../../workers/jobs/testing.ts";
import { createTestCore } from "../testing.ts";

const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();

dbTest(
  "[core] GET /v1/me/exam-attempts lists the student's own attempts of an exam or course, expired ones submitted",
  async (database) => {
    const world = await createAcademicWorld(database);
    await seedPdfMaterial(database, {
      courseId: world.courseA,
      facultyId: world.facultyA,
      semesterId: world.semesterA,
    });
    const core = createTestCore(database);
    const staff = core.asUser(world.academicOwn);
    const student = core.asUser(world.studentEnrolled);
    const created = await staff.request("POST", `/v1/courses/${world.courseA}/exams`, {
      title: "Quiz",
      blueprint: { counts: { true_false: 2 } },
    });
    const { examId, jobId } = await created.json();
    assert.equal(await runJobAsWorker(database, jobId), "succeeded");
    const published = await staff.request("POST", `/v1/exams/${examId}/publish`, {
      closesAt: inOneHour(),
      timeLimitMinutes: 10,
      attemptsAllowed: 2,
    });
    assert.equal(published.status, 200);

    // Nothing started yet.
    const none = await student.request("GET", `/v1/me/exam-attempts?examId=${examId}`);
    assert.equal(none.status, 200);
    assert.match(none.headers.get("content-type") ?? "", /application\/json/);
    assert.deepEqual(await none.json(), { items: [], nextCursor: null });

    const started = await (await student.request("POST", `/v1/exams/${examId}/attempts`)).json();
    const byExam = await (await student.request("GET", `/v1/me/exam-attempts?examId=${examId}`)).json();
    assert.equal(byExam.items.length, 1);
    assert.equal(byExam.items[0].id, started.id);
    assert.equal(byExam.items[0].status, "in_progress");
    assert.equal(byExam.items[0].deadlineAt, started.deadlineAt);
    assert.equal(byExam.items[0].score, null);
    const byCourse = await (await student.request("GET", `/v1/me/exam-attempts?courseId=${world.courseA}`))
      .json();
    assert.deepEqual(byCourse.items.map((a: { id: string }) => a.id), [started.id]);
    const otherCourse = await (await student.request("GET", `/v1/me/exam-attempts?courseId=${world.courseB}`))
      .json();
    assert.deepEqual(otherCourse.items, []);

    // Past its deadline the attempt is listed as submitted (automatically, as of the deadline).
    await database.db.update(schema.examAttempts).set({ deadlineAt: new Date(Date.now() - 1000) })
      .where(eq(schema.examAttempts.id, started.id));
    const after = await (await student.request("GET", `/v1/me/exam-attempts?examId=${examId}`)).json();
    assert.equal(after.items[0].status, "submitted");
    assert.equal(after.items[0].submitKind, "auto");

    // A second attempt comes first; a page of one hands a cursor to the next.
    const second = await (await student.request("POST", `/v1/exams/${examId}/attempts`)).json();
    const first = await (await student.request("GET", `/v1/me/exam-attempts?examId=${examId}&limit=1`))
      .json();
    assert.deepEqual(first.items.map((a: { id: string }) => a.id), [second.id]);
    assert.ok(first.nextCursor);
    const next = await (await student.request(
      "GET",
      `/v1/me/exam-attempts?examId=${examId}&limit=1&cursor=${first.nextCursor}`,
    )).json();
    assert.deepEqual(next.items.map((a: { id: string }) => a.id), [started.id]);
  },
);

dbTest("[core] GET /v1/me/exam-attempts never lists another user's attempts", async (database) => {
  const world = await createAcademicWorld(database);
  await seedPdfMaterial(database, {
    courseId: world.courseA,
    facultyId: world.facultyA,
    semesterId: world.semesterA,
  });
  const core = createTestCore(database);
  const staff = core.asUser(world.academicOwn);
  const created = await (await staff.request("POST", `/v1/courses/${world.courseA}/exams`, {
    title: "Quiz",
    blueprint: { counts: { true_false: 1 } },
  })).json();
  assert.equal(await runJobAsWorker(database, created.jobId), "succeeded");
  await staff.request("POST", `/v1/exams/${created.examId}/publish`, { closesAt: inOneHour() });
  assert.equal(
    (await core.asUser(world.studentEnrolled).request("POST", `/v1/exams/${created.examId}/attempts`)).status,
    201,
  );

  // Neither a classmate nor the course's own instructor sees the student's attempt in *their* list.
  for (const other of [world.studentOther, world.academicOwn, world.admin]) {
    const res = await core.asUser(other).request("GET", `/v1/me/exam-attempts?examId=${created.examId}`);
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).items, []);
  }
  const anonymous = await core.anonymous.request("GET", `/v1/me/exam-attempts`);
  assert.equal(anonymous.status, 401);
});

dbTest("[core] GET /v1/me/exam-attempts refuses a malformed filter or cursor with 400", async (database) => {
  const world = await createAcademicWorld(database);
  const student = createTestCore(database).asUser(world.studentEnrolled);
  const bad = await student.request("GET", "/v1/me/exam-attempts?examId=not-a-uuid");
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.code, "VALIDATION_FAILED");
  assert.equal((await student.request("GET", "/v1/me/exam-attempts?cursor=nonsense")).status, 400);
  assert.equal((await student.request("GET", "/v1/me/exam-attempts?limit=0")).status, 400);
});
