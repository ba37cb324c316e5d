import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { schema } from "@app/shared/db/client.ts";
import { dbTest } from "@app/shared/db/testing.ts";
import { plainWords } from "@app/shared/text/plain_words.ts";
import { splitSentences } from "@app/shared/text/sentences.ts";
import { createAcademicWorld } from "@app/core/academics/testing.ts";
import { generateExamItems, loadCourseChunks } from "@app/shared/exams/generation.ts";
import { isKeySupported, OfflineExamGenerator } from "@app/shared/exams/offline_generator.ts";
import { notificationKindsFor, seedPdfMaterial } from "@app/shared/exams/testing.ts";
import { runJobAsWorker } from "../testing.ts";
import type { GeneratedItem } from "@app/shared/exams/types.ts";
import { tutorEnv } from "@app/shared/tutor/env.ts";
import { createTutorModel } from "@app/shared/tutor/model/mod.ts";
import { startFakeOpenAi } from "@app/shared/tutor/testing/fake_openai.ts";
import { createTestCore } from "@app/core/testing.ts";
import { examJobHandlers } from "./exams.ts";

async function askForExam(database: Parameters<typeof createTestCore>[0], counts: Record<string, number>) {
  const world = await createAcademicWorld(database);
  await seedPdfMaterial(database, {
    courseId: world.courseA,
    facultyId: world.facultyA,
    semesterId: world.semesterA,
  });
  const core = createTestCore(database);
  const res = await core.asUser(world.academicOwn).request("POST", `/v1/courses/${world.courseA}/exams`, {
    title: "Midterm",
    blueprint: { counts },
  });
  assert.equal(res.status, 202);
  const { examId, jobId } = await res.json();
  return { world, core, examId, jobId };
}

dbTest(
  "[workers] exams.generate writes offline items from the PDF whose keys are in their cited chunks",
  async (database) => {
    const { world, core, examId, jobId } = await askForExam(database, {
      multiple_choice: 4,
      true_false: 3,
      short_answer: 3,
    });
    assert.equal(await runJobAsWorker(database, jobId), "succeeded");

    const [exam] = await database.db.select().from(schema.exams).where(eq(schema.exams.id, examId));
    assert.equal(exam.status, "draft");
    assert.equal(exam.generator, "offline");
    const items = await database.db.select().from(schema.examItems).where(
      eq(schema.examItems.examId, examId),
    );
    assert.equal(items.length, 10);
    const chunks = new Map((await loadCourseChunks(database.db, world.courseA)).map((c) => [c.chunkId, c]));
    for (const item of items) {
      const generated = { ...item, factKey: item.factKey ?? "" } as GeneratedItem;
      assert.ok(isKeySupported(generated, chunks), `key of "${item.question}" is not in its cited chunk`);
      const cited = chunks.get(item.citations[0].chunkId)!;
      assert.equal(item.citations[0].documentId, cited.documentId);
      assert.equal(item.citations[0].page, cited.page);
    }
    assert.equal(new Set(items.map((i) => i.factKey)).size, items.length, "two items test the same fact");
    assert.equal(new Set(items.map((i) => i.question)).size, items.length);
    assert.deepEqual(await notificationKindsFor(database, world.academicOwn.id), ["exam.generated"]);

    // A re-run (a duplicate delivery, or a crash after commit) changes nothing.
    const again = await generateExamItems(database.db, examId, new OfflineExamGenerator());
    assert.equal(again.status, "skipped");
    const res = await core.asUser(world.academicOwn).request("GET", `/v1/exams/${examId}`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.items.length, 10);
    assert.ok(body.items.every((i: { answerKey?: string }) => i.answerKey), "staff see the keys");
  },
);

dbTest(
  "[workers] exams.generate with the OpenAI model retries an invalid structured output",
  async (database) => {
    // Answers a valid item citing the first usable sentence of the first chunk it is shown.
    const fake = startFakeOpenAi((request) => {
      const user = request.messages.at(-1)!.content;
      for (const [, id, text] of user.matchAll(/<chunk id="([^"]+)" page="\d+">\n([\s\S]*?)\n<\/chunk>/g)) {
        const quote = splitSentences(text).find((s) =>
          plainWords(s).length >= 8 && plainWords(s).length <= 30
        );
        if (!quote) continue;
        const key = plainWords(quote).sort((a, b) => b.length - a.length)[0];
        const item = {
          type: "short_answer",
          question: `Which word completes: ${quote.replace(new RegExp(key, "i"), "_____")}`,
          options: [],
          answerKey: key,
          explanation: "From the material.",
          difficulty: "medium",
          chunkId: id,
          quote,
        };
        return { kind: "answer", text: JSON.stringify({ items: [item] }) };
      }
      return { kind: "answer", text: '{"items":[]}' };
    });
    fake.script.push({ kind: "answer", text: '{"items":[{"type":"essay"}]}' });
    try {
      const { examId, jobId } = await askForExam(database, { short_answer: 1 });
      const model = createTutorModel(
        z.object(tutorEnv).parse({
          TUTOR_MODEL: "openai",
          OPENAI_API_KEY: "test-key",
          OPENAI_BASE_URL: fake.baseURL,
          OPENAI_MAX_RETRIES: "0",
        }),
      );
      assert.equal(
        await runJobAsWorker(database, jobId, { registry: examJobHandlers({ model }) }),
        "succeeded",
      );
      assert.equal(fake.requests.length, 2, "the invalid output was not asked again");
      const sent = fake.requests[0].body.response_format as { type: string };
      assert.equal(sent.type, "json_schema");
      const [exam] = await database.db.select().from(schema.exams).where(eq(schema.exams.id, examId));
      assert.equal(exam.status, "draft");
      assert.equal(exam.generator, "llm");
      const items = await database.db.select().from(schema.examItems).where(
        eq(schema.examItems.examId, examId),
      );
      assert.equal(items.length, 1);
      assert.ok(items[0].citations[0].quote.toLowerCase().includes(items[0].answerKey.toLowerCase()));
    } finally {
      await fake.close();
    }
  },
);

dbTest(
  "[workers] exams.generate fails the exam with a reason when the course has no material",
  async (database) => {
    const world = await createAcademicWorld(database);
    const core = createTestCore(database);
    const res = await core.asUser(world.academicOwn).request("POST", `/v1/courses/${world.courseA}/exams`, {
      title: "Empty",
      blueprint: { counts: { true_false: 2 } },
    });
    const { examId, jobId } = await res.json();
    assert.equal(await runJobAsWorker(database, jobId), "succeeded");
    const [exam] = await database.db.select().from(schema.exams).where(eq(schema.exams.id, examId));
    assert.equal(exam.status, "failed");
    assert.match(exam.note ?? "", /no processed material/);
    assert.deepEqual(await notificationKindsFor(database, world.academicOwn.id), ["exam.generation_failed"]);
  },
);
