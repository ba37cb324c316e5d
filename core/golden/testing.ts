/**
 * Test helpers for golden sets: search services on a fake Qdrant (the one service here that cannot run locally)
 * with the hash embedder, and running a `golden.run` job now through the real runner with those services.
 */
import type { Database } from "../../shared/db/client.ts";
import type { DocumentServices } from "../../shared/documents/services.ts";
import { startFakeQdrant } from "../../shared/rag/testing/fake_qdrant.ts";
import { createHashEmbedder } from "../../shared/rag/testing/hash_embedder.ts";
import { createQdrantStore } from "../../shared/rag/vector/qdrant.ts";
import { runClaimedJob, type RunOutcome } from "../../workers/jobs/runner.ts";
import { claimJob } from "../../workers/jobs/store.ts";
import { testRunner } from "../../workers/jobs/testing.ts";

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

/** Claims and runs one job now with the real runner and every handler, with `documents` as its services. */
export async function runJobWithSearch(
  database: Database,
  jobId: string,
  documents: DocumentServices,
): Promise<RunOutcome> {
  const runner = testRunner(database, { deps: { documents } });
  const claim = await claimJob(database.db, jobId, { workerId: runner.workerId, leaseMs: runner.leaseMs });
  if (claim.state !== "claimed") throw new Error(`Job ${jobId} could not be claimed (${claim.state})`);
  return runClaimedJob(claim.job, runner);
}
