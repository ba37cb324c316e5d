/**
 * A small, fast guard on keyword retrieval quality: slices of XQuAD (English, Arabic) and ARCD from `fixtures/rag/`
 * (the full evaluation with the real embedder is `deno task eval:retrieval`). Vectors are off so the figures
 * measure normalisation and BM25 alone; a regression there shows up here.
 */
import assert from "node:assert/strict";
import { dbTest } from "../db/testing.ts";
import { replaceDocumentChunks } from "./chunk_writer.ts";
import { startFakeQdrant } from "./testing/fake_qdrant.ts";
import { createHashEmbedder } from "./testing/hash_embedder.ts";
import { insertTestDocument, newTestCourse } from "./testing/documents.ts";
import { createQdrantStore } from "./vector/qdrant.ts";
import { hybridSearch } from "./search.ts";

type Squad = { data: { title: string; paragraphs: { context: string; qas: { question: string }[] }[] }[] };

const FIXTURES = new URL("../../fixtures/rag/", import.meta.url);

for (
  const [file, minimum] of [
    ["xquad.en.sample.json", 0.9],
    ["xquad.ar.sample.json", 0.9],
    ["arcd-train.sample.json", 0.9],
  ] as const
) {
  dbTest(`keyword retrieval finds the right paragraph in the top 5 for ${file}`, async (database) => {
    const qdrant = startFakeQdrant();
    try {
      const squad = JSON.parse(await Deno.readTextFile(new URL(file, FIXTURES))) as Squad;
      const embedder = createHashEmbedder({ batchSize: 64 });
      const store = createQdrantStore({
        url: qdrant.url,
        collection: "recall",
        dimensions: embedder.dimensions,
      });
      const course = newTestCourse();
      const questions: { query: string; text: string }[] = [];
      for (const article of squad.data) {
        const doc = await insertTestDocument(database, course, article.title);
        const chunks = article.paragraphs.map((p, i) => ({
          ordinal: i,
          text: p.context,
          pageStart: 1,
          pageEnd: 1,
        }));
        await replaceDocumentChunks(database, store, embedder, { document: doc, chunks });
        for (const p of article.paragraphs) {
          for (const qa of p.qas) questions.push({ query: qa.question, text: p.context });
        }
      }
      let found = 0;
      for (const q of questions) {
        const { results } = await hybridSearch(
          { database, vectorStore: store, embedder },
          { scope: { courseIds: [course.courseId] }, query: q.query, k: 5 },
          { vectorWeight: 0 },
        );
        if (results.some((r) => r.text === q.text)) found++;
      }
      const recall = found / questions.length;
      assert.ok(recall >= minimum, `recall@5 ${recall.toFixed(3)} is below ${minimum}`);
    } finally {
      await qdrant.close();
    }
  });
}
