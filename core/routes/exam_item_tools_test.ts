import assert from "node:assert/strict";
import { and, eq, isNull } from "drizzle-orm";
import { type Database, schema } from "../../shared/db/client.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { plainWords } from "../../shared/text/plain_words.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { seedPdfMaterial } from "../../shared/exams/testing.ts";
import { runJobAsWorker } from "../../workers/jobs/testing.ts";
import { createTestCore } from "../testing.ts";

/** A course with the algebra module and a generated draft with learning objectives. */
async function draft(database: Database) {
  const world = await createAcademicWorld(database);
  const documentId = await seedPdfMaterial(database, {
    courseId: world.courseA,
    facultyId: world.facultyA,
    semesterId: world.semesterA,
  });
  const core = createTestCore(database);
  const staff = core.asUser(world.academicOwn);
  const res = await staff.request("POST", `/v1/courses/${world.courseA}/exams`, {
    title: "Quiz",
    blueprint: {
      counts: { multiple_choice: 1, true_false: 1, short_answer: 2 },
      objectives: ["Solve a system of equations by graphing"],
    },
  });
  assert.equal(res.status, 202);
  const { examId, jobId } = await res.json();
  assert.equal(await runJobAsWorker(database, jobId), "succeeded");
  const items = () =>
    database.db.select().from(schema.examItems).where(
      and(eq(schema.examItems.examId, examId), isNull(schema.examItems.deletedAt)),
    );
  return { world, core, staff, examId, documentId, items };
}

dbTest(
  "[core] regenerating one item writes a new item of its kind in place, on a fact the exam does not test yet",
  async (database) => {
    const { world, core, staff, examId, items } = await draft(database);
    const exam = await (await staff.request("GET", `/v1/exams/${examId}`)).json();
    assert.deepEqual(
      exam.blueprint.objectives,
      ["Solve a system of equations by graphing"],
      "kept with the exam",
    );
    const before = await items();
    const target = before.find((i) => i.type === "short_answer")!;

    // Only the course's instructors, only while a draft.
    const student = core.asUser(world.studentEnrolled);
    assert.equal(
      (await student.request("POST", `/v1/exams/${examId}/items/${target.id}/regenerate`)).status,
      403,
    );
    const outsider = core.asUser(world.academicOther);
    assert.equal(
      (await outsider.request("POST", `/v1/exams/${examId}/items/${target.id}/regenerate`)).status,
      404,
    );
    const unknown = await staff.request(
      "POST",
      `/v1/exams/${examId}/items/${crypto.randomUUID()}/regenerate`,
    );
    assert.equal(unknown.status, 404);

    const res = await staff.request("POST", `/v1/exams/${examId}/items/${target.id}/regenerate`);
    assert.equal(res.status, 202);
    const { jobId, statusUrl } = await res.json();
    assert.equal(statusUrl, `/api/v1/jobs/${jobId}`);
    assert.equal(await runJobAsWorker(database, jobId), "succeeded");

    const after = await items();
    assert.equal(after.length, before.length, "replaced, not added");
    const fresh = after.find((i) => i.id === target.id)!;
    assert.equal(fresh.ordinal, target.ordinal, "same position");
    assert.equal(fresh.type, target.type, "same kind");
    assert.notEqual(fresh.question, target.question);
    const sentence = (k: string | null) => k!.slice(0, k!.lastIndexOf("|"));
    for (const other of before) {
      assert.notEqual(sentence(fresh.factKey), sentence(other.factKey), "a fact no item tested before");
    }
    // The new key is supported by the passage it cites.
    const cited = fresh.citations[0];
    const [chunk] = await database.db.select().from(schema.documentChunks).where(
      eq(schema.documentChunks.id, cited.chunkId),
    );
    assert.ok(plainWords(chunk.text).join(" ").includes(plainWords(cited.quote).join(" ")));
    assert.ok(cited.quote.includes(fresh.answerKey));
    const [audit] = await database.db.select().from(schema.auditEvents).where(
      eq(schema.auditEvents.action, "exam.item.regenerate"),
    );
    assert.equal(audit?.target, `exam:${examId}`);

    // Once published, nothing is regenerated: refused up front, and a job queued before publishing does nothing.
    const queued = await (await staff.request("POST", `/v1/exams/${examId}/items/${target.id}/regenerate`))
      .json();
    const published = await staff.request("POST", `/v1/exams/${examId}/publish`, {
      closesAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    assert.equal(published.status, 200);
    assert.equal(
      (await staff.request("POST", `/v1/exams/${examId}/items/${target.id}/regenerate`)).status,
      409,
    );
    assert.equal(await runJobAsWorker(database, queued.jobId), "succeeded");
    const [kept] = (await items()).filter((i) => i.id === target.id);
    assert.equal(kept.question, fresh.question, "the published item is untouched");
  },
);

dbTest("[core] an item's cited passage is the whole chunk, for the course's staff only", async (database) => {
  const { world, core, staff, examId, documentId, items } = await draft(database);
  const [item] = await items();
  const res = await staff.request("GET", `/v1/exams/${examId}/items/${item.id}/source`);
  assert.equal(res.status, 200);
  const source = await res.json();
  assert.equal(source.chunkId, item.citations[0].chunkId);
  assert.equal(source.documentId, documentId);
  assert.equal(source.documentTitle, "Simultaneous equations");
  assert.equal(source.quote, item.citations[0].quote);
  assert.ok(source.text.length > source.quote.length, "more than the sentence");
  assert.ok(
    plainWords(source.text).join(" ").includes(plainWords(source.quote).join(" ")),
    "the sentence is in it",
  );

  assert.equal(
    (await core.asUser(world.studentEnrolled).request("GET", `/v1/exams/${examId}/items/${item.id}/source`))
      .status,
    403,
  );
  assert.equal(
    (await core.asUser(world.academicOther).request("GET", `/v1/exams/${examId}/items/${item.id}/source`))
      .status,
    404,
  );
  // A citation pointing outside the exam's course (tampered or stale) gives nothing away.
  const [foreign] = await database.db.insert(schema.examItems).values({
    examId,
    courseId: world.courseA,
    ordinal: 99,
    type: "short_answer",
    question: "Which?",
    options: [],
    answerKey: "x",
    citations: [{ chunkId: crypto.randomUUID(), documentId, page: 1, quote: "x" }],
  }).returning();
  assert.equal((await staff.request("GET", `/v1/exams/${examId}/items/${foreign.id}/source`)).status, 404);
});
