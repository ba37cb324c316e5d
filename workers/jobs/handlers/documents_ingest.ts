import { and, eq, isNull } from "drizzle-orm";
import { documents } from "@app/shared/db/schema/rag.ts";
import { DocumentError, type DocumentFailure } from "@app/shared/documents/mod.ts";
import { ProcessorCrashedError } from "@app/shared/documents/processor/mod.ts";
import { documentTypeOfMime } from "@app/shared/documents/types.ts";
import { AppError, ErrorCode } from "@app/shared/errors.ts";
import { bumpScopeVersion } from "@app/shared/kv/cache_scope.ts";
import { purgeDocumentChunks, replaceDocumentChunks } from "@app/shared/rag/chunk_writer.ts";
import { enqueueJob } from "@app/shared/jobs/enqueue.ts";
import type { Db } from "@app/shared/db/client.ts";
import { defineJob, PermanentJobError } from "../registry.ts";
import { EARLIER_DEATH, previousAttemptDied } from "../store.ts";
import { queueGoldenRunAfterIngestion } from "@app/shared/golden/queue.ts";

/** Tells the uploader how ingestion ended (in the app, and by mail per their preferences). */
async function notifyUploader(
  db: Db,
  doc: typeof documents.$inferSelect,
  outcome: { ok: true; chunks: number } | { ok: false; reason: string },
): Promise<void> {
  if (!doc.uploadedBy) return;
  await enqueueJob(db, {
    type: "notifications.deliver",
    payload: {
      userId: doc.uploadedBy,
      kind: outcome.ok ? "document.ingested" : "document.failed",
      title: outcome.ok ? `"${doc.title}" is ready` : `"${doc.title}" could not be processed`,
      body: outcome.ok
        ? `It was split into ${outcome.chunks} passages; the tutor and search can use it now.`
        : outcome.reason,
      data: { documentId: doc.id, courseId: doc.courseId },
    },
    ownerUserId: doc.uploadedBy,
    scope: { facultyId: doc.facultyId, courseId: doc.courseId },
  });
}

/** Share of the progress bar spent reading pages; embedding chunks fills it up to `EMBED_END`. */
const EXTRACT_SHARE = 0.3;
const EMBED_END = 0.95;
/**
 * While pages are read, progress is written when the bar moves a whole percent (at most 30 writes, whatever the
 * page count) and otherwise at most this often (so a slow, long file still shows its page count moving).
 */
const PROGRESS_EVERY_MS = 500;

/**
 * `documents.ingest`: reads the stored bytes, extracts and chunks them, embeds and writes a new chunk generation
 * (swapped in atomically by `replaceDocumentChunks`, which also sets `ready` and bumps the corpus version), then
 * bumps the course's cache scope in the KV store. Idempotent: a re-run writes a new generation and removes the
 * others, so it converges without duplicates. An unreadable file (encrypted, corrupt, no text) marks the document
 * `failed` with the readable reason and ends the job at once (`PermanentJobError`): retrying cannot help. So does a
 * file over a limit (size, pages, text, chunks, wall time, memory), and a file whose processing died twice (the
 * child process crashed, or the whole worker stopped answering), so it cannot take down the next worker too.
 * Extraction, chunking and offline embedding run in `services.processor` (child processes by default).
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
  const fail = async (reason: DocumentFailure | "missing", message: string) => {
    await database.db.update(documents).set({
      status: "failed",
      error: message,
      progress: 0,
      updatedAt: new Date(),
    })
      .where(eq(documents.id, doc.id));
    logger.warn("document failed", { documentId: doc.id, reason });
    await notifyUploader(database.db, doc, { ok: false, reason: message });
    return new PermanentJobError(message);
  };
  if (!type) throw await fail("unsupported_type", `The stored type "${doc.mime}" is not supported`);
  if (ctx.job.lastError?.includes(EARLIER_DEATH)) {
    throw await fail(
      "crashed",
      "Processing this file stopped the worker twice; it cannot be read safely (try exporting it again)",
    );
  }

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
  let lastWrite = 0;
  let lastPercent = 0;
  let writing = Promise.resolve();
  const setProgress = (fraction: number, detail: Record<string, unknown>, force = false) => {
    const now = performance.now();
    const percent = Math.round(fraction * 100);
    if (!force && percent === lastPercent && now - lastWrite < PROGRESS_EVERY_MS) return writing;
    lastWrite = now;
    lastPercent = percent;
    writing = writing.then(async () => {
      await database.db.update(documents).set({ progress: fraction })
        .where(and(eq(documents.id, doc.id), isNull(documents.deletedAt)));
      await ctx.reportProgress(Math.round(fraction * 100), detail);
    }).catch((err) => logger.warn("progress update failed", { err: String(err) }));
    return writing;
  };

  let processed;
  try {
    processed = await services.processor.process(bytes, type, {
      onProgress: ({ pagesDone, pagesTotal }) =>
        void setProgress(EXTRACT_SHARE * pagesDone / Math.max(1, pagesTotal), {
          stage: "extracting",
          pagesDone,
          pagesTotal,
        }),
    });
  } catch (err) {
    await writing;
    if (err instanceof DocumentError) throw await fail(err.reason, err.message);
    if (err instanceof ProcessorCrashedError && previousAttemptDied(ctx.job.lastError)) {
      throw await fail(
        "crashed",
        `Processing this file stopped the document processor twice (${err.message}); it cannot be read safely`,
      );
    }
    throw err; // A first crash or an infrastructure failure: worth another attempt.
  }
  await writing;
  const pageCount = processed.pageCount;
  const chunkTotal = processed.chunks.length;
  await database.db.update(documents).set({ pages: pageCount, updatedAt: new Date() })
    .where(eq(documents.id, doc.id));
  const embedding = (chunksEmbedded: number) => ({
    stage: "embedding",
    pages: pageCount,
    chunksEmbedded,
    chunksTotal: chunkTotal,
  });
  await setProgress(EXTRACT_SHARE, embedding(0), true);

  const written = await replaceDocumentChunks(database, services.vectorStore, services.processor.embedder, {
    document: doc,
    chunks: processed.chunks.map((c) => ({
      ordinal: c.ordinal,
      text: c.text,
      pageStart: c.pageStart,
      pageEnd: c.pageEnd,
      pageBreaks: c.pageBreaks,
      heading: c.heading ?? null,
    })),
    // The last batch is always reported, so a fast embedding still shows its chunk count.
    onProgress: (p) =>
      setProgress(
        EXTRACT_SHARE + (EMBED_END - EXTRACT_SHARE) * p,
        embedding(Math.round(p * chunkTotal)),
        p >= 1,
      ),
  });
  await writing;
  // The document is ready from here on: say so on the job too, not the last batch's figure.
  await setProgress(1, { ...embedding(chunkTotal), stage: "finishing" }, true);

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
  await notifyUploader(database.db, doc, { ok: true, chunks: written.chunkCount });
  // The course's golden set (if it keeps one) is re-run against the new corpus version.
  await queueGoldenRunAfterIngestion(database.db, doc, logger);
  return {
    result: {
      documentId: doc.id,
      pages: pageCount,
      chunks: written.chunkCount,
      vectors: written.vectorCount,
      generation: written.generation,
    },
    resultUrl: `/api/v1/documents/${doc.id}`,
  };
});
