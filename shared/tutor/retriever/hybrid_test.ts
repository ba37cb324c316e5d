import assert from "node:assert/strict";
import { dbTest } from "../../db/testing.ts";
import { replaceDocumentChunks } from "../../rag/chunk_writer.ts";
import { startFakeQdrant } from "../../rag/testing/fake_qdrant.ts";
import { createHashEmbedder } from "../../rag/testing/hash_embedder.ts";
import { insertTestDocument, newTestCourse, paragraphs } from "../../rag/testing/documents.ts";
import { createQdrantStore } from "../../rag/vector/qdrant.ts";
import { toCitations } from "../answer.ts";
import { HybridRetriever } from "./hybrid.ts";

const FIRST = "Photosynthesis happens in the chloroplasts of plant cells.";
const SECOND = "The Calvin cycle fixes carbon dioxide into sugars in the stroma.";

dbTest(
  "HybridRetriever returns a chunk's page breaks, so a quote from its second page is cited at that page",
  async (database) => {
    const embedder = createHashEmbedder();
    const qdrant = startFakeQdrant();
    const store = createQdrantStore({
      url: qdrant.url,
      collection: `t${crypto.randomUUID()}`,
      dimensions: 64,
    });
    try {
      const course = newTestCourse();
      const doc = await insertTestDocument(database, course, "Biology");
      await replaceDocumentChunks(database, store, embedder, {
        document: doc,
        chunks: [{
          ordinal: 0,
          text: `${FIRST} ${SECOND}`,
          pageStart: 4,
          pageEnd: 5,
          pageBreaks: [{ at: FIRST.length + 1, page: 5 }],
        }],
      });
      const retriever = new HybridRetriever({ database, vectorStore: store, embedder });
      const { chunks } = await retriever.retrieve({
        scope: { courseId: course.courseId },
        query: "Calvin cycle carbon dioxide",
        k: 3,
        language: "en",
      });
      assert.equal(chunks.length, 1);
      assert.deepEqual(chunks[0].pageBreaks, [{ at: FIRST.length + 1, page: 5 }]);
      const [citation] = toCitations(`“${SECOND}” [1]`, chunks);
      assert.equal(citation.page, 5);
      assert.equal(citation.snippet, SECOND);
    } finally {
      await qdrant.close();
    }
  },
);

dbTest(
  "HybridRetriever.languageGap() names the material's language when it is all in the other one",
  async (database) => {
    const qdrant = startFakeQdrant();
    try {
      const store = createQdrantStore({
        url: qdrant.url,
        collection: `t${crypto.randomUUID()}`,
        dimensions: 64,
      });
      const englishOnly = createHashEmbedder({ englishOnly: true });
      const english = newTestCourse();
      const mixed = newTestCourse();
      const ingest = async (course: typeof english, texts: string[]) =>
        await replaceDocumentChunks(database, store, englishOnly, {
          document: await insertTestDocument(database, course),
          chunks: paragraphs(...texts),
        });
      await ingest(english, ["Photosynthesis converts light energy into chemical energy."]);
      await ingest(mixed, [
        "Photosynthesis converts light energy into chemical energy.",
        "تقوم النباتات بعملية البناء الضوئي في البلاستيدات الخضراء.",
      ]);
      const retriever = new HybridRetriever({ database, vectorStore: store, embedder: englishOnly });
      assert.equal(await retriever.languageGap({ courseId: english.courseId }, "ar"), "en");
      assert.equal(await retriever.languageGap({ courseId: english.courseId }, "en"), null);
      assert.equal(await retriever.languageGap({ courseId: mixed.courseId }, "ar"), null);
      // An empty course has no language to blame.
      assert.equal(await retriever.languageGap({ courseId: newTestCourse().courseId }, "ar"), null);
      // A multilingual embedder crosses languages: a refusal then means the material is silent.
      const multilingual = new HybridRetriever({
        database,
        vectorStore: store,
        embedder: createHashEmbedder(),
      });
      assert.equal(await multilingual.languageGap({ courseId: english.courseId }, "ar"), null);
    } finally {
      await qdrant.close();
    }
  },
);
