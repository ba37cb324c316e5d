/**
 * Test helpers for documents and search: a test core with document services on a chosen vector store (pgvector on
 * the test database, or the fake Qdrant from `shared/rag/testing/`), an academic world, uploads through the real
 * routes, and the ingestion/purge jobs run in-process through the real job runner.
 */
import { eq } from "drizzle-orm";
import type { Database } from "../../shared/db/client.ts";
import { jobs } from "../../shared/db/schema/jobs.ts";
import { createDocumentServices } from "../../shared/documents/services.ts";
import { MIME_TYPES } from "../../shared/documents/types.ts";
import type { DocumentStorage } from "../../shared/documents/storage/interface.ts";
import { readPdfFixture } from "../../shared/documents/testing/fixtures.ts";
import { startFakeQdrant } from "../../shared/rag/testing/fake_qdrant.ts";
import { createHashEmbedder } from "../../shared/rag/testing/hash_embedder.ts";
import type { VectorStore } from "../../shared/rag/vector/interface.ts";
import { createPgvectorStore } from "../../shared/rag/vector/pgvector.ts";
import { createQdrantStore } from "../../shared/rag/vector/qdrant.ts";
import { runJobAsWorker } from "../../workers/jobs/testing.ts";
import { type AcademicWorld, createAcademicWorld } from "../academics/testing.ts";
import { createTestCore, type TestCore, type TestUser } from "../testing.ts";

/** Which vector store a test runs on. */
export type VectorBackend = "pgvector" | "qdrant";

/** The signing secret of test upload URLs. */
export const TEST_UPLOAD_SECRET = "test-upload-signing-secret-0123456789abcdef";

/** A course world with a document-capable core. */
export interface DocumentsTestbed {
  world: AcademicWorld;
  core: TestCore;
  /** The vector store under the documents services (without the lazy wrapper). */
  store: VectorStore;
  /** Makes the vector side fail (Qdrant answers 503; pgvector queries throw) until set back. */
  setVectorDown(down: boolean): void;
  /** Runs one job to its outcome in-process, as a worker would. */
  runJob(jobId: string): ReturnType<typeof runJobAsWorker>;
  /** Runs every queued documents job (ingest and purge) once, oldest first. */
  runQueuedDocumentJobs(): Promise<void>;
  /** Creates a document and PUTs bytes to its signed URL; returns both answers. */
  upload(
    user: TestUser,
    courseId: string,
    file: { name: string; type: string; bytes: Uint8Array<ArrayBuffer> },
  ): Promise<
    {
      created: Response;
      createdBody: Record<string, unknown>;
      put: Response;
      putBody: Record<string, unknown>;
    }
  >;
  /** Uploads a committed PDF fixture and runs its ingestion job; returns the document id. */
  ingestFixture(user: TestUser, courseId: string, fixture: string): Promise<string>;
  /** `POST /v1/search` as `user`. */
  search(user: TestUser, body: Record<string, unknown>): Promise<Response>;
  close(): Promise<void>;
}

/** Builds a testbed; pgvector needs a database with the extension (PGlite has it). */
export async function createDocumentsTestbed(
  database: Database,
  backend: VectorBackend,
  options: { storage?: DocumentStorage } = {},
): Promise<DocumentsTestbed> {
  const world = await createAcademicWorld(database);
  const dataDir = await Deno.makeTempDir({ prefix: "docs_test_" });
  const core = createTestCore(database, {
    DATA_DIR: dataDir,
    UPLOAD_SIGNING_SECRET: TEST_UPLOAD_SECRET,
    UPLOAD_BASE_URL: "http://core.test/v1/uploads",
    LOG_LEVEL: "error",
    // Route tests run extraction in this process; the child-process pool has its own tests
    // (shared/documents/processor, workers/jobs/handlers/documents_ingest_test.ts).
    DOCUMENT_ISOLATION: "inline",
  });
  const dims = 64;
  const embedder = createHashEmbedder({ dimensions: dims, batchSize: 16 });
  let down = false;
  const qdrant = backend === "qdrant" ? startFakeQdrant() : undefined;
  const raw = qdrant
    ? createQdrantStore({
      url: qdrant.url,
      collection: `t${crypto.randomUUID().slice(0, 8)}`,
      dimensions: dims,
    })
    : createPgvectorStore(database, { dimensions: dims, table: `tv_${crypto.randomUUID().slice(0, 8)}` });
  const store: VectorStore = qdrant ? raw : {
    ...raw,
    name: raw.name,
    query: (v, o) => down ? Promise.reject(new Error("pgvector is down (test)")) : raw.query(v, o),
  };
  core.services.documents = createDocumentServices(core.services.env, database, {
    embedder,
    vectorStore: store,
    storage: options.storage,
  });
  const runJob = (jobId: string) =>
    runJobAsWorker(database, jobId, { deps: { documents: core.services.documents, kv: core.services.kv } });
  const upload: DocumentsTestbed["upload"] = async (user, courseId, file) => {
    const created = await core.asUser(user).request("POST", `/v1/courses/${courseId}/documents`, {
      fileName: file.name,
      type: file.type,
      sizeBytes: file.bytes.length,
    });
    const createdBody = await created.clone().json();
    if (created.status !== 201) return { created, createdBody, put: created, putBody: createdBody };
    const url = new URL(createdBody.uploadUrl as string);
    const put = await core.app.request(url.pathname + url.search, {
      method: "PUT",
      body: file.bytes,
      headers: { "content-type": MIME_TYPES[file.type as keyof typeof MIME_TYPES] ?? file.type },
    });
    return { created, createdBody, put, putBody: await put.clone().json() };
  };
  return {
    world,
    core,
    store,
    setVectorDown(value) {
      down = value;
      if (qdrant) qdrant.failing = value;
    },
    runJob,
    async runQueuedDocumentJobs() {
      const rows = await database.db.select({ id: jobs.id, type: jobs.type, status: jobs.status }).from(jobs)
        .where(eq(jobs.status, "queued")).orderBy(jobs.createdAt);
      const mine = new Set([world.courseA, world.courseB]);
      for (const row of rows) {
        if (!row.type.startsWith("documents.")) continue;
        const [full] = await database.db.select().from(jobs).where(eq(jobs.id, row.id));
        if (full.courseId && mine.has(full.courseId)) await runJob(row.id);
      }
    },
    upload,
    async ingestFixture(user, courseId, fixture) {
      const bytes = await readPdfFixture(fixture);
      const { put, putBody, createdBody } = await upload(user, courseId, {
        name: fixture,
        type: "pdf",
        bytes,
      });
      if (put.status !== 202) {
        throw new Error(`Upload of ${fixture} answered ${put.status}: ${JSON.stringify(putBody)}`);
      }
      await runJob(putBody.jobId as string);
      return createdBody.documentId as string;
    },
    search: (user, body) => core.asUser(user).request("POST", "/v1/search", body),
    async close() {
      await qdrant?.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}
