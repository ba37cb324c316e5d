import assert from "node:assert/strict";
import { and, eq, sql } from "drizzle-orm";
import { type Database, schema } from "../db/client.ts";
import { dbTest } from "../db/testing.ts";
import { memoryLogger } from "../logger.ts";
import { replaceDocumentChunks } from "../rag/chunk_writer.ts";
import { insertTestDocument, paragraphs } from "../rag/testing/documents.ts";
import { createAcademicWorld } from "../../core/academics/testing.ts";
import { notificationKindsFor } from "../exams/testing.ts";
import { OfflineTutor } from "../tutor/model/offline.ts";
import { matchText, rankOfPassage, regressionsBetween, runGoldenSet } from "./evaluate.ts";
import { queueGoldenRun, queueGoldenRunAfterIngestion, queueGoldenRunsForModel } from "./queue.ts";
import { goldenSearchServices } from "./testing.ts";

const BIOLOGY = [
  "Photosynthesis converts light energy into chemical energy stored in glucose.",
  "Mitochondria are the powerhouse of the cell, producing ATP through cellular respiration.",
  "The universities of Europe taught botany as part of medicine.",
];

Deno.test("rankOfPassage() finds the quote across line breaks and punctuation, in the expected document only", () => {
  const hits = [
    { documentId: "a", text: "Nothing here." },
    { documentId: "b", text: "Mitochondria are the\npowerhouse of the cell." },
  ];
  assert.equal(rankOfPassage(hits, { documentId: null, expectedQuote: "the powerhouse, of the cell" }), 2);
  assert.equal(rankOfPassage(hits, { documentId: "b", expectedQuote: "powerhouse of the cell" }), 2);
  assert.equal(rankOfPassage(hits, { documentId: "a", expectedQuote: "powerhouse of the cell" }), null);
  assert.equal(matchText("ATP, (adenosine)"), "atp adenosine");
});

Deno.test("regressionsBetween() names questions whose passage or answer was lost, not new ones", () => {
  const before = [
    { questionId: "q1", rank: 1, answerHit: true },
    { questionId: "q2", rank: 2, answerHit: true },
    { questionId: "q3", rank: null, answerHit: false },
  ];
  const after = [
    { questionId: "q1", rank: null, answerHit: true },
    { questionId: "q2", rank: 3, answerHit: false },
    { questionId: "q3", rank: 1, answerHit: true },
    { questionId: "q4", rank: null, answerHit: false },
  ];
  assert.deepEqual(regressionsBetween(before, after), ["q1", "q2"]);
});

async function courseWithMaterial(database: Database, texts: string[]) {
  const world = await createAcademicWorld(database);
  const course = { courseId: world.courseA, facultyId: world.facultyA, semesterId: world.semesterA };
  await database.db.insert(schema.enrollments).values({
    userId: world.spareAcademic.id,
    courseId: world.courseA,
    role: "instructor",
  });
  const search = goldenSearchServices();
  const doc = await insertTestDocument(database, course);
  await replaceDocumentChunks(database, search.vectorStore, search.embedder, {
    document: doc,
    chunks: paragraphs(...texts),
  });
  return { world, course, search, doc };
}

dbTest(
  "runGoldenSet() stores results per corpus version and notifies the instructors of a drop",
  async (database) => {
    const { world, course, search, doc } = await courseWithMaterial(database, BIOLOGY);
    try {
      const [q] = await database.db.insert(schema.goldenQuestions).values({
        courseId: course.courseId,
        question: "What do mitochondria produce through cellular respiration?",
        documentId: doc.id,
        expectedQuote: "producing ATP through cellular respiration",
        expectedAnswer: "ATP",
      }).returning();
      const deps = {
        retrieval: { database, vectorStore: search.vectorStore, embedder: search.embedder },
        model: new OfflineTutor(),
        logger: memoryLogger("test"),
      };
      const queue = () =>
        queueGoldenRun(database.db, {
          courseId: course.courseId,
          facultyId: course.facultyId,
          trigger: "manual",
        });

      const first = await queue();
      // A second request while one is queued reuses it.
      assert.equal((await queue()).run.id, first.run.id);
      const one = await runGoldenSet(database.db, deps, first.run.id);
      assert.equal(one.dropped, false);
      assert.equal(one.totals?.retrievalHits, 1);
      assert.equal(one.totals?.answerHits, 1);
      const [result] = await database.db.select().from(schema.goldenResults)
        .where(eq(schema.goldenResults.runId, first.run.id));
      assert.equal(result.rank, 1);
      assert.equal(result.answerHit, true);
      assert.deepEqual(await notificationKindsFor(database, world.spareAcademic.id), []);

      // The passage disappears from the material: a new corpus version, and the question fails.
      await replaceDocumentChunks(database, search.vectorStore, search.embedder, {
        document: doc,
        chunks: paragraphs(BIOLOGY[0], BIOLOGY[2]),
      });
      const second = await queue();
      assert.notEqual(second.run.id, first.run.id);
      const two = await runGoldenSet(database.db, deps, second.run.id);
      assert.equal(two.dropped, true);
      const [run] = await database.db.select().from(schema.goldenRuns).where(
        eq(schema.goldenRuns.id, second.run.id),
      );
      assert.equal(run.status, "done");
      assert.equal(run.previousRunId, first.run.id);
      assert.deepEqual(run.regressions, [q.id]);
      assert.ok(run.corpusVersion! > (await firstVersion(database, first.run.id)));
      assert.deepEqual(await notificationKindsFor(database, world.spareAcademic.id), ["golden.drop"]);
      // Someone outside the course's teaching staff hears nothing.
      assert.deepEqual(await notificationKindsFor(database, world.studentEnrolled.id), []);

      // Delivered again (the job re-runs), a finished run changes nothing and notifies no one twice.
      assert.equal((await runGoldenSet(database.db, deps, second.run.id)).skipped, "run already done");
      assert.equal((await notificationKindsFor(database, world.spareAcademic.id)).length, 1);
    } finally {
      await search.close();
    }
  },
);

async function firstVersion(database: Database, runId: string): Promise<number> {
  const [run] = await database.db.select().from(schema.goldenRuns).where(eq(schema.goldenRuns.id, runId));
  return run.corpusVersion!;
}

dbTest(
  "queueGoldenRunAfterIngestion() queues a run only for a course with golden questions",
  async (database) => {
    const world = await createAcademicWorld(database);
    const doc = { courseId: world.courseA, facultyId: world.facultyA, uploadedBy: world.academicOwn.id };
    const logger = memoryLogger("test");
    assert.equal(await queueGoldenRunAfterIngestion(database.db, doc, logger), null);
    await database.db.insert(schema.goldenQuestions).values({
      courseId: world.courseA,
      question: "What is elimination?",
      expectedQuote: "add the equations",
    });
    const jobId = await queueGoldenRunAfterIngestion(database.db, doc, logger);
    assert.ok(jobId);
    const runs = await database.db.select().from(schema.goldenRuns).where(and(
      eq(schema.goldenRuns.courseId, world.courseA),
      eq(schema.goldenRuns.trigger, "ingestion"),
    ));
    assert.equal(runs.length, 1);
    assert.equal(runs[0].jobId, jobId);
    const [job] = await database.db.select().from(schema.jobs).where(sql`${schema.jobs.id} = ${jobId}`);
    assert.equal(job.type, "golden.run");
  },
);

dbTest(
  "queueGoldenRunsForModel() queues one run for a course last answered by another model",
  async (database) => {
    const world = await createAcademicWorld(database);
    await database.db.insert(schema.goldenQuestions).values({
      courseId: world.courseA,
      question: "What is elimination?",
      expectedQuote: "add the equations",
    });
    const runsOfA = () =>
      database.db.select().from(schema.goldenRuns).where(eq(schema.goldenRuns.courseId, world.courseA));
    // Never run: left alone.
    await queueGoldenRunsForModel(database.db, "model-b");
    assert.deepEqual(await runsOfA(), []);
    await database.db.insert(schema.goldenRuns).values({
      courseId: world.courseA,
      trigger: "manual",
      status: "done",
      model: "model-a",
    });
    await queueGoldenRunsForModel(database.db, "model-a");
    assert.equal((await runsOfA()).length, 1);
    await queueGoldenRunsForModel(database.db, "model-b");
    await queueGoldenRunsForModel(database.db, "model-b");
    const runs = await runsOfA();
    assert.deepEqual(runs.map((r) => r.trigger).sort(), ["manual", "model"]);
  },
);
