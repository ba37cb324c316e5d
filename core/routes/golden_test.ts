import assert from "node:assert/strict";
import { and, asc, eq } from "drizzle-orm";
import { type Database, schema } from "../../shared/db/client.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { seedPdfMaterial } from "../../shared/exams/testing.ts";
import { goldenSearchServices } from "../../shared/golden/testing.ts";
import { runJobAsWorker } from "../../workers/jobs/testing.ts";
import { createTestCore } from "../testing.ts";
import { createDocumentsTestbed } from "../documents/testing.ts";

/** A course with the algebra PDF as material and its core, plus one chunk to build questions from. */
async function courseWithPdf(database: Database) {
  const world = await createAcademicWorld(database);
  const documentId = await seedPdfMaterial(database, {
    courseId: world.courseA,
    facultyId: world.facultyA,
    semesterId: world.semesterA,
  });
  const chunks = await database.db.select().from(schema.documentChunks)
    .where(and(eq(schema.documentChunks.documentId, documentId)))
    .orderBy(asc(schema.documentChunks.ordinal));
  const chunk = chunks.find((c) => c.text.split(/\s+/).length > 40) ?? chunks[0];
  const core = createTestCore(database);
  return { world, documentId, chunk, core, staff: core.asUser(world.academicOwn) };
}

const json = async (res: Response) => {
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  return await res.json();
};

dbTest(
  "[core] golden questions and runs: faculty keep a set, run it, and read per-question results",
  async (database) => {
    const { world, documentId, chunk, core, staff } = await courseWithPdf(database);
    const search = goldenSearchServices();
    try {
      // A chunk reference becomes its document and a quote of its text.
      const byChunk = await staff.request("POST", `/v1/courses/${world.courseA}/golden-questions`, {
        question: chunk.text.split(/\s+/).slice(0, 14).join(" "),
        chunkId: chunk.id,
      });
      assert.equal(byChunk.status, 201);
      const q1 = await json(byChunk);
      assert.equal(q1.documentId, documentId);
      assert.ok(chunk.text.replace(/\s+/g, " ").startsWith(q1.expectedQuote));

      const byQuote = await staff.request("POST", `/v1/courses/${world.courseA}/golden-questions`, {
        question: "What is the capital of the moon?",
        expectedQuote: "the capital of the moon is Tranquility",
        expectedAnswer: "Tranquility",
      });
      assert.equal(byQuote.status, 201);
      const q2 = await json(byQuote);
      assert.equal(byQuote.headers.get("location"), `/api/v1/golden-questions/${q2.id}`, "Location: its URL");

      const patched = await staff.request("PATCH", `/v1/golden-questions/${q2.id}`, { expectedAnswer: null });
      assert.equal(patched.status, 200);
      assert.equal((await json(patched)).expectedAnswer, null);
      const listed = await json(await staff.request("GET", `/v1/courses/${world.courseA}/golden-questions`));
      assert.deepEqual(listed.items.map((q: { id: string }) => q.id), [q1.id, q2.id]);

      const started = await staff.request("POST", `/v1/courses/${world.courseA}/golden-runs`);
      assert.equal(started.status, 202);
      const { run, jobId, statusUrl } = await json(started);
      assert.equal(run.status, "queued");
      assert.equal(run.trigger, "manual");
      assert.equal(statusUrl, `/api/v1/jobs/${jobId}`);
      assert.equal(
        await runJobAsWorker(database, jobId, { deps: { documents: search.documents } }),
        "succeeded",
      );

      const detail = await json(await staff.request("GET", `/v1/golden-runs/${run.id}`));
      assert.equal(detail.status, "done");
      assert.equal(typeof detail.corpusVersion, "number");
      assert.equal(detail.model, "offline-extractive");
      assert.equal(detail.totals.questions, 2);
      const found = Object.fromEntries(detail.results.map((r: { questionId: string; found: boolean }) => [
        r.questionId,
        r.found,
      ]));
      assert.deepEqual(found, { [q1.id]: true, [q2.id]: false });

      // Two runs, paged one at a time, newest first.
      const again = await json(await staff.request("POST", `/v1/courses/${world.courseA}/golden-runs`));
      const page1 = await json(
        await staff.request("GET", `/v1/courses/${world.courseA}/golden-runs?limit=1`),
      );
      assert.deepEqual(page1.items.map((r: { id: string }) => r.id), [again.run.id]);
      assert.ok(page1.nextCursor);
      const page2 = await json(
        await staff.request(
          "GET",
          `/v1/courses/${world.courseA}/golden-runs?limit=1&cursor=${encodeURIComponent(page1.nextCursor)}`,
        ),
      );
      assert.deepEqual(page2.items.map((r: { id: string }) => r.id), [run.id]);

      // Admins get in too; a removed question is gone from the set.
      const admin = core.asUser(world.admin);
      assert.equal((await admin.request("GET", `/v1/golden-runs/${run.id}`)).status, 200);
      assert.equal((await staff.request("DELETE", `/v1/golden-questions/${q2.id}`)).status, 204);
      const left = await json(await admin.request("GET", `/v1/courses/${world.courseA}/golden-questions`));
      assert.deepEqual(left.items.map((q: { id: string }) => q.id), [q1.id]);
    } finally {
      await search.close();
    }
  },
);

dbTest("[core] golden routes reject bad input with 400 and an empty set's run with 409", async (database) => {
  const { world, staff, core } = await courseWithPdf(database);
  const base = `/v1/courses/${world.courseA}/golden-questions`;
  for (
    const body of [
      { question: "Where is the passage?" },
      { question: "", expectedQuote: "some words here" },
      { question: "Which document?", expectedQuote: "some words", documentId: crypto.randomUUID() },
      { question: "Which chunk?", chunkId: crypto.randomUUID() },
      { question: "Too long an answer?", expectedQuote: "some words", expectedAnswer: "x".repeat(501) },
    ]
  ) {
    const res = await staff.request("POST", base, body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal((await json(res)).error.code, "VALIDATION_FAILED");
  }
  assert.equal((await staff.request("GET", `/v1/courses/not-a-uuid/golden-questions`)).status, 400);
  assert.equal((await staff.request("GET", `/v1/courses/${world.courseA}/golden-runs?limit=0`)).status, 400);
  const empty = await staff.request("POST", `/v1/courses/${world.courseA}/golden-runs`);
  assert.equal(empty.status, 409);
  assert.equal((await json(empty)).error.code, "CONFLICT");
  const admin = core.asUser(world.admin);
  assert.equal((await admin.request("GET", `/v1/golden-runs/${crypto.randomUUID()}`)).status, 404);
});

dbTest(
  "[core] students, other faculties' staff and anonymous callers never reach a golden set",
  async (database) => {
    const { world, core, staff, chunk } = await courseWithPdf(database);
    const created = await json(
      await staff.request("POST", `/v1/courses/${world.courseA}/golden-questions`, {
        question: "What does this passage say?",
        chunkId: chunk.id,
      }),
    );
    const { run } = await json(await staff.request("POST", `/v1/courses/${world.courseA}/golden-runs`));

    const student = core.asUser(world.studentEnrolled);
    const other = core.asUser(world.academicOther);
    const course = `/v1/courses/${world.courseA}`;
    // Students are turned away by the routes' staff-only contract (403); staff of another faculty do not see the
    // course, its questions or its runs at all (404).
    for (const [client, status] of [[student, 403], [other, 404]] as const) {
      const calls: [string, string, unknown?][] = [
        ["GET", `${course}/golden-questions`],
        ["POST", `${course}/golden-questions`, { question: "Mine?", expectedQuote: "a b c" }],
        ["POST", `${course}/golden-runs`],
        ["GET", `${course}/golden-runs`],
        ["GET", `/v1/golden-runs/${run.id}`],
        ["PATCH", `/v1/golden-questions/${created.id}`, { question: "Changed?" }],
        ["DELETE", `/v1/golden-questions/${created.id}`],
      ];
      for (const [method, path, body] of calls) {
        const res = await client.request(method, path, body);
        assert.equal(res.status, status, `${method} ${path}`);
        assert.equal((await json(res)).error.code, status === 403 ? "FORBIDDEN" : "NOT_FOUND");
      }
    }
    assert.equal((await core.anonymous.request("GET", `${course}/golden-questions`)).status, 401);
    assert.equal((await core.anonymous.request("GET", `/v1/golden-runs/${run.id}`)).status, 401);
    const [row] = await database.db.select().from(schema.goldenQuestions).where(
      eq(schema.goldenQuestions.id, created.id),
    );
    assert.equal(row.question, "What does this passage say?");
    assert.equal(row.deletedAt, null);
  },
);

dbTest(
  "[core] finishing an ingestion queues a run of the course's golden set, which finds the new passage",
  async (database) => {
    const bed = await createDocumentsTestbed(database, "qdrant");
    try {
      const { world, core } = bed;
      const staff = core.asUser(world.academicOwn);
      const added = await staff.request("POST", `/v1/courses/${world.courseA}/golden-questions`, {
        question: "What force does each member of a truss carry?",
        expectedQuote: "Each member carries axial force only",
        expectedAnswer: "axial force",
      });
      assert.equal(added.status, 201);
      const { putBody } = await bed.upload(world.academicOwn, world.courseA, {
        name: "statics.md",
        type: "md",
        bytes: new TextEncoder().encode(
          "# Statics\n\nA truss is a structure of members joined at nodes. Each member carries axial force only.\n",
        ),
      });
      assert.equal(await bed.runJob(putBody.jobId as string), "succeeded");

      const runs = await json(await staff.request("GET", `/v1/courses/${world.courseA}/golden-runs`));
      assert.equal(runs.items.length, 1);
      const [run] = runs.items;
      assert.equal(run.trigger, "ingestion");
      assert.equal(run.status, "queued");
      assert.equal(await bed.runJob(run.jobId), "succeeded");
      const detail = await json(await staff.request("GET", `/v1/golden-runs/${run.id}`));
      assert.equal(detail.status, "done");
      assert.equal(detail.results[0].rank, 1);
      assert.equal(detail.totals.retrievalHits, 1);
      assert.equal(detail.dropped, false);

      // A course without golden questions gets no run from its ingestion.
      const other = await bed.upload(world.admin, world.courseB, {
        name: "notes.md",
        type: "md",
        bytes: new TextEncoder().encode("# Notes\n\nNothing to evaluate here at all.\n"),
      });
      assert.equal(other.put.status, 202);
      assert.equal(await bed.runJob(other.putBody.jobId as string), "succeeded");
      const none = await database.db.select().from(schema.goldenRuns)
        .where(eq(schema.goldenRuns.courseId, world.courseB));
      assert.deepEqual(none, []);
    } finally {
      await bed.close();
    }
  },
);
