/**
 * Test helpers for golden sets: search services on a fake Qdrant (the one service here that cannot run locally)
 * with the hash embedder; tests run a `golden.run` job with those services through `runJobAsWorker`
 * (workers/jobs/testing.ts).
 */
import type { DocumentServices } from "../documents/services.ts";
import { startFakeQdrant } from "../rag/testing/fake_qdrant.ts";
import { createHashEmbedder } from "../rag/testing/hash_embedder.ts";
import { createQdrantStore } from "../rag/vector/qdrant.ts";

/** Embedder and vector store of a test, closed by `close`. */
export function goldenSearchServices() {
  const qdrant = startFakeQdrant();
  const embedder = createHashEmbedder();
  const vectorStore = createQdrantStore({
    url: qdrant.url,
    collection: `g${crypto.randomUUID()}`,
    dimensions: 64,
  });
  const documents = { embedder, vectorStore } as unknown as DocumentServices;
  return { embedder, vectorStore, documents, close: () => qdrant.close() };
}
