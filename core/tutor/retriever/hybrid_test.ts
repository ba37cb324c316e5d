import assert from "node:assert/strict";
import { dbTest } from "../../../shared/db/testing.ts";
import { replaceDocumentChunks } from "../../../shared/rag/chunk_writer.ts";
import { insertTestDocument, newTestCourse } from "../../../shared/rag/testing/documents.ts";
import { createHashEmbedder } from "../../../shared/rag/testing/hash_embedder.ts";
import { startFakeQdrant } from "../../../shared/rag/testing/fake_qdrant.ts";
import { createQdrantStore } from "../../../shared/rag/vector/qdrant.ts";
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
