import { and, eq, isNull } from "drizzle-orm";
import { documents } from "../../../shared/db/schema/rag.ts";
import { DocumentError, processDocument } from "../../../shared/documents/mod.ts";
import { documentTypeOfMime } from "../../../shared/documents/types.ts";
import { AppError, ErrorCode } from "../../../shared/errors.ts";
import { bumpScopeVersion } from "../../../shared/kv/cache_scope.ts";
import { purgeDocumentChunks, replaceDocumentChunks } from "../../../shared/rag/chunk_writer.ts";
import { defineJob, PermanentJobError } from "../registry.ts";
import { queueGoldenRunAfterIngestion } from "../../../core/golden/golden.ts";

/** Share of the progress bar spent reading and chunking; embedding and writing fill the rest. */
const EXTRACT_SHARE = 0.15;

/**
 * `documents.ingest`: reads the stored bytes, extracts and chunks them, embeds and writes a new chunk generation
 * (swapped in atomically by `replaceDocumentChunks`, which also sets `ready` and bumps the corpus version), then
 * bumps the course's cache scope in the KV store. Idempotent: a re-run writes a new generation and removes the
 * others, so it converges without duplicates. An unreadable file (encrypted, corrupt, no text) marks the document
 * `failed` with the readable reason and ends the job at once (`PermanentJobError`): retrying cannot help.
 */
export const ingestDocument = defineJob("documents.ingest", async (ctx) => {
  const { database, deps, payload, logger } = ctx;
  const services = deps.documents;
  if (!services) throw new Error("This workers process has no document services configured");
  const [doc] = await database.db.select().from(documents).where(eq(documents.id, payload.documentId)).limit(
    1,
  );
  if (!doc || doc.deletedAt) return { result: { skipped: "document deleted" } };
  if (doc.status === "awaiting_upload" || !doc.sha256) {
    throw new PermanentJobError(`Document "${doc.id}" has no uploaded file`);
  }
  const type = documentTypeOfMime(doc.mime);
  const fail = async (reason: string, message: string) => {
    await database.db.update(documents).set({
      status: "failed",
      error: message,
      progress: 0,
      updatedAt: new Date(),
    })
      .where(eq(documents.id, doc.id));
    logger.warn("document failed", { documentId: doc.id, reason });
    return new PermanentJobError(message);
  };
  if (!type) throw await fail("unsupported_type", `The stored type "${doc.mime}" is not supported`);

  // A ready document keeps answering from its live chunks while it is re-indexed.
  if (doc.status !== "ready") {
    await database.db.update(documents).set({
      status: "processing",
      progress: 0,
      error: null,
      updatedAt: new Date(),
    })
      .where(eq(documents.id, doc.id));
  }
  const storage = await services.storage();
  let bytes: Uint8Array;
  try {
    bytes = await storage.getObject(doc.storageKey ?? storage.keyFor(doc.id));
  } catch (err) {
    if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) {
      throw await fail("missing", "The uploaded file is no longer in storage; upload it again");
    }
    throw err; // Storage unreachable: worth a retry.
  }
  let processed;
  try {
    processed = await processDocument(bytes, type, services.chunkOptions);
  } catch (err) {
    if (err instanceof DocumentError) throw await fail(err.reason, err.message);
    throw err;
  }
  const setProgress = async (fraction: number) => {
    await database.db.update(documents).set({ progress: fraction })
      .where(and(eq(documents.id, doc.id), isNull(documents.deletedAt)));
    await ctx.reportProgress(Math.round(fraction * 100));
  };
  await database.db.update(documents).set({ pages: processed.pageCount, updatedAt: new Date() })
    .where(eq(documents.id, doc.id));
  await setProgress(EXTRACT_SHARE);

  const written = await replaceDocumentChunks(database, services.vectorStore, services.embedder, {
    document: doc,
    chunks: processed.chunks.map((c) => ({
      ordinal: c.ordinal,
      text: c.text,
      pageStart: c.pageStart,
      pageEnd: c.pageEnd,
      heading: c.heading ?? null,
    })),
    onProgress: (p) => setProgress(EXTRACT_SHARE + (1 - EXTRACT_SHARE) * p),
  });

  // Deleted while we worked: the purge job may already have run, so remove what this run wrote.
  const [after] = await database.db.select({ deletedAt: documents.deletedAt }).from(documents)
    .where(eq(documents.id, doc.id)).limit(1);
  if (after?.deletedAt) {
    await purgeDocumentChunks(database, services.vectorStore, doc.id);
    return { result: { skipped: "document deleted during ingestion" } };
  }
  if (deps.kv) {
    try {
      await bumpScopeVersion(deps.kv, `course:${doc.courseId}`);
    } catch (err) {
      // The database corpus version (bumped with the swap) still invalidates core's search cache.
      logger.warn("cache scope bump failed", { courseId: doc.courseId, error: String(err) });
    }
  }
  // The course's golden set (if it keeps one) is re-run against the new corpus version.
  await queueGoldenRunAfterIngestion(database.db, doc, logger);
  return {
    result: {
      documentId: doc.id,
      pages: processed.pageCount,
      chunks: written.chunkCount,
      vectors: written.vectorCount,
      generation: written.generation,
    },
    resultUrl: `/api/v1/documents/${doc.id}`,
  };
});
