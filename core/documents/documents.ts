/**
 * Course documents: upload grants, upload completion (duplicate check + ingestion job in one transaction), listing,
 * soft delete and re-index. No HTTP here; routes in `core/routes/documents.ts` call these.
 */
import { z } from "@hono/zod-openapi";
import { and, desc, eq, gt, isNull, ne, or, sql } from "drizzle-orm";
import {
  afterCursor,
  fixedSort,
  orderOf,
  pageOf,
  type PageParams,
  sortKeyOf,
} from "../academics/pagination.ts";
import type { Database, Db } from "../../shared/db/client.ts";
import { courses } from "../../shared/db/schema/academics.ts";
import { jobs } from "../../shared/db/schema/jobs.ts";
import { DOCUMENT_STATUSES, documents } from "../../shared/db/schema/rag.ts";
import type { StoredObject } from "../../shared/documents/storage/interface.ts";
import {
  DOCUMENT_TYPES,
  type DocumentType,
  documentTypeOfMime,
  MIME_TYPES,
} from "../../shared/documents/types.ts";
import type { DocumentServices } from "../../shared/documents/services.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import { enqueueJob } from "../../shared/jobs/enqueue.ts";
import { newId } from "../../shared/ids.ts";
import { bumpCorpusVersion } from "../../shared/rag/corpus_version.ts";
import type { ScopedContext } from "../academics/context.ts";
import { iso } from "../academics/context.ts";

/** What a client declares before uploading. */
export const DocumentCreate = z.object({
  fileName: z.string().trim().min(1).max(255),
  /** A document type (`pdf`, `docx`, `pptx`, `txt`, `md`) or its MIME type. */
  type: z.string().min(1).max(200).openapi({ example: "pdf" }),
  sizeBytes: z.number().int().min(1),
  title: z.string().trim().min(1).max(300).optional(),
}).openapi("DocumentCreate", {
  example: { fileName: "week-1-statics.pdf", type: "pdf", sizeBytes: 482113, title: "Week 1: Statics" },
});

/** The upload grant returned to the client. */
export const UploadGrantBody = z.object({
  documentId: z.uuid(),
  uploadUrl: z.string(),
  /** Headers the client must send with its `PUT` (S3 signs them). */
  uploadHeaders: z.record(z.string(), z.string()),
  expiresAt: z.string(),
  maxBytes: z.number().int(),
}).openapi("UploadGrant");

/** A document as the API shows it. */
export const DocumentBody = z.object({
  id: z.uuid(),
  courseId: z.uuid(),
  title: z.string(),
  fileName: z.string(),
  type: z.enum(DOCUMENT_TYPES).nullable(),
  sizeBytes: z.number().int(),
  status: z.enum(DOCUMENT_STATUSES),
  pages: z.number().int().nullable(),
  chunks: z.number().int(),
  /** 0..1 while ingesting. */
  progress: z.number(),
  error: z.string().nullable(),
  uploadedBy: z.uuid().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("Document");

type DocumentRow = typeof documents.$inferSelect;

/** The API shape of a document row. */
export function toDocumentBody(row: DocumentRow): z.infer<typeof DocumentBody> {
  return {
    id: row.id,
    courseId: row.courseId,
    title: row.title,
    fileName: row.fileName,
    type: documentTypeOfMime(row.mime) ?? null,
    sizeBytes: row.sizeBytes,
    status: row.status,
    pages: row.pages,
    chunks: row.chunkCount,
    progress: row.progress,
    error: row.error,
    uploadedBy: row.uploadedBy,
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
  };
}

/** The document type a client's `type` names (a short name or a MIME type). */
export function parseDocumentType(value: string): DocumentType {
  const lower = value.trim().toLowerCase();
  const type = (DOCUMENT_TYPES as readonly string[]).includes(lower)
    ? lower as DocumentType
    : lower === "markdown"
    ? "md"
    : documentTypeOfMime(lower);
  if (!type) {
    throw new AppError(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `The type "${value}" is not supported; use PDF, DOCX, PPTX, TXT or Markdown`,
    );
  }
  return type;
}

/** A live document, or 404 (also when the caller may not read its course). */
async function readableDocument(ctx: ScopedContext, documentId: string): Promise<DocumentRow> {
  const [row] = await ctx.tx.select().from(documents)
    .where(and(eq(documents.id, documentId), isNull(documents.deletedAt))).limit(1);
  if (!row || !ctx.scope.canReadCourse(row.courseId)) {
    throw new AppError(ErrorCode.NOT_FOUND, `Document "${documentId}" was not found`);
  }
  return row;
}

/** A live document the caller manages: 404 when unreadable, 403 when only readable. */
async function manageableDocument(ctx: ScopedContext, documentId: string): Promise<DocumentRow> {
  const row = await readableDocument(ctx, documentId);
  if (!ctx.scope.canManageCourse(row.courseId)) {
    throw new AppError(
      ErrorCode.FORBIDDEN,
      "Only the course's instructors and admins may change its documents",
    );
  }
  return row;
}

/** Creates a document awaiting upload and a signed URL for its bytes. */
export async function createDocument(
  ctx: ScopedContext,
  services: DocumentServices,
  courseId: string,
  input: z.infer<typeof DocumentCreate>,
): Promise<z.infer<typeof UploadGrantBody>> {
  if (!ctx.scope.canReadCourse(courseId)) {
    throw new AppError(ErrorCode.NOT_FOUND, `Course "${courseId}" was not found`);
  }
  if (!ctx.scope.canManageCourse(courseId)) {
    throw new AppError(ErrorCode.FORBIDDEN, "Only the course's instructors and admins may add documents");
  }
  const [course] = await ctx.tx.select({ facultyId: courses.facultyId, semesterId: courses.semesterId })
    .from(courses).where(and(eq(courses.id, courseId), isNull(courses.deletedAt))).limit(1);
  if (!course) throw new AppError(ErrorCode.NOT_FOUND, `Course "${courseId}" was not found`);
  const type = parseDocumentType(input.type);
  if (input.sizeBytes > services.maxUploadBytes) {
    throw new AppError(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `The file is ${input.sizeBytes} bytes; documents may be at most ${services.maxUploadBytes} bytes`,
    );
  }
  const storage = await services.storage();
  const id = newId();
  const grant = await storage.createUploadUrl({ documentId: id, type, maxBytes: input.sizeBytes });
  await ctx.tx.insert(documents).values({
    id,
    courseId,
    facultyId: course.facultyId,
    semesterId: course.semesterId,
    uploadedBy: ctx.caller.userId,
    title: input.title ?? input.fileName.replace(/\.[A-Za-z0-9]{1,5}$/, ""),
    fileName: input.fileName,
    mime: MIME_TYPES[type],
    sizeBytes: input.sizeBytes,
    status: "awaiting_upload",
    storageKey: grant.key,
  });
  await ctx.audit({
    action: "document.upload",
    target: `document:${id}`,
    metadata: { courseId, fileName: input.fileName, type, sizeBytes: input.sizeBytes },
  });
  return {
    documentId: id,
    uploadUrl: grant.url,
    uploadHeaders: grant.headers,
    expiresAt: grant.expiresAt.toISOString(),
    maxBytes: grant.maxBytes,
  };
}

/**
 * Records stored bytes and enqueues ingestion, in ONE transaction: the same content already live in the course is
 * refused (409 naming the existing document; the caller deletes the stored object), and a document not awaiting
 * upload is refused too. Runs as the database owner: the signed URL, not a session, authorised the upload.
 */
export async function acceptUpload(
  database: Database,
  documentId: string,
  stored: StoredObject,
): Promise<{ jobId: string }> {
  return await database.db.transaction(async (tx) => {
    const [row] = await tx.select().from(documents)
      .where(and(eq(documents.id, documentId), isNull(documents.deletedAt))).for("update").limit(1);
    if (!row) throw new AppError(ErrorCode.NOT_FOUND, `Document "${documentId}" was not found`);
    if (row.status !== "awaiting_upload") {
      throw new AppError(ErrorCode.CONFLICT, `Document "${documentId}" was already uploaded`, {
        details: { reason: "already_uploaded" },
      });
    }
    const [twin] = await tx.select({ id: documents.id, title: documents.title }).from(documents).where(and(
      eq(documents.courseId, row.courseId),
      eq(documents.sha256, stored.sha256),
      isNull(documents.deletedAt),
    )).limit(1);
    if (twin) {
      throw new AppError(
        ErrorCode.CONFLICT,
        `This course already has the same file as document "${twin.title}"`,
        { details: { reason: "duplicate", existingDocumentId: twin.id } },
      );
    }
    await tx.update(documents).set({
      sizeBytes: stored.size,
      sha256: stored.sha256,
      mime: stored.contentType,
      status: "queued",
      progress: 0,
      error: null,
      updatedAt: new Date(),
    }).where(eq(documents.id, documentId));
    return { jobId: await enqueueIngest(tx as unknown as Db, row) };
  });
}

async function enqueueIngest(tx: Db, row: DocumentRow, ownerUserId = row.uploadedBy): Promise<string> {
  const job = await enqueueJob(tx, {
    type: "documents.ingest",
    payload: { documentId: row.id },
    ownerUserId,
    scope: { facultyId: row.facultyId, courseId: row.courseId },
    // Retries cover infrastructure failures; unreadable files end at once (PermanentJobError).
    maxAttempts: 3,
  });
  return job.id;
}

/** The newest ingestion job of a document, if any. */
async function latestIngestJob(tx: Db, documentId: string): Promise<string | null> {
  const [job] = await tx.select({ id: jobs.id }).from(jobs)
    .where(and(eq(jobs.type, "documents.ingest"), sql`${jobs.payload}->>'documentId' = ${documentId}`))
    .orderBy(desc(jobs.createdAt)).limit(1);
  return job?.id ?? null;
}

/**
 * `POST /documents/:id/complete`. S3: inspects the object the client put (size, magic bytes, hash), then accepts it
 * as the local upload route does. Already accepted: answers the existing job again (idempotent). Local storage
 * without an upload yet: 409, since the local route itself completes the upload.
 */
export async function completeDocument(
  ctx: ScopedContext,
  services: DocumentServices,
  documentId: string,
): Promise<{ jobId: string | null; pending?: StoredObject }> {
  const row = await manageableDocument(ctx, documentId);
  if (row.status !== "awaiting_upload") return { jobId: await latestIngestJob(ctx.tx, documentId) };
  if (services.storageKind === "local") {
    throw new AppError(
      ErrorCode.CONFLICT,
      `Document "${documentId}" has not been uploaded yet; PUT the file to its upload URL first`,
    );
  }
  const storage = await services.storage();
  const type = documentTypeOfMime(row.mime)!;
  // Outside the accept transaction on purpose: hashing a large object must not hold a row lock.
  const stored = await storage.inspectObject(row.storageKey ?? storage.keyFor(row.id), {
    type,
    maxBytes: row.sizeBytes,
  });
  return { jobId: null, pending: stored };
}

/**
 * Whether a document is shown to this caller. A document still awaiting its bytes is the uploader's unfinished
 * work: only the course's managers see it, and only while its upload URL can still be used; after that it is
 * abandoned (or was refused) and is hidden from everyone. Decided at read time, so nothing has to sweep it: the row
 * stays (a late upload started before the URL expired still completes and shows the document again).
 */
function visibleTo(
  ctx: ScopedContext,
  row: DocumentRow,
  uploadUrlTtlSeconds: number,
  now = Date.now(),
): boolean {
  if (row.status !== "awaiting_upload") return true;
  if (!ctx.scope.canManageCourse(row.courseId)) return false;
  return row.createdAt.getTime() + uploadUrlTtlSeconds * 1000 > now;
}

/** The same rule as `visibleTo`, as SQL over one course's documents (so pages keep their size). */
function visibleInCourse(ctx: ScopedContext, courseId: string, uploadUrlTtlSeconds: number) {
  const finished = ne(documents.status, "awaiting_upload");
  if (!ctx.scope.canManageCourse(courseId)) return finished;
  return or(finished, gt(documents.createdAt, new Date(Date.now() - uploadUrlTtlSeconds * 1000)));
}

/** A page of the course's live documents, newest first (readers of the course; unfinished uploads to managers only). */
export async function listDocuments(
  ctx: ScopedContext,
  courseId: string,
  page: PageParams & { uploadUrlTtlSeconds: number },
): Promise<{ rows: DocumentRow[]; nextCursor: string | null }> {
  if (!ctx.scope.canReadCourse(courseId)) {
    throw new AppError(ErrorCode.NOT_FOUND, `Course "${courseId}" was not found`);
  }
  const sort = fixedSort("-createdAt", documents.createdAt, "timestamptz", true);
  const rows = await ctx.tx.select({ row: documents, id: documents.id, sortKey: sortKeyOf(sort) }).from(
    documents,
  )
    .where(and(
      eq(documents.courseId, courseId),
      isNull(documents.deletedAt),
      visibleInCourse(ctx, courseId, page.uploadUrlTtlSeconds),
      afterCursor(sort, documents.id, page.cursor),
    ))
    .orderBy(...orderOf(sort, documents.id)).limit(page.limit + 1);
  const cut = pageOf(rows, page.limit, sort);
  return { rows: cut.rows.map((r) => r.row), nextCursor: cut.nextCursor };
}

/** One live document the caller may read (404 for an unfinished upload the caller may not see). */
export async function getDocument(
  ctx: ScopedContext,
  documentId: string,
  options: { uploadUrlTtlSeconds: number },
): Promise<DocumentRow> {
  const row = await readableDocument(ctx, documentId);
  if (!visibleTo(ctx, row, options.uploadUrlTtlSeconds)) {
    throw new AppError(ErrorCode.NOT_FOUND, `Document "${documentId}" was not found`);
  }
  return row;
}

/**
 * Soft-deletes a document: its chunks leave retrieval at once (search reads live documents only), the course's
 * corpus version is bumped, and a purge job removes chunks, vectors and bytes.
 */
export async function deleteDocument(ctx: ScopedContext, documentId: string): Promise<{ courseId: string }> {
  const row = await manageableDocument(ctx, documentId);
  await ctx.tx.update(documents).set({ deletedAt: new Date(), updatedAt: new Date() })
    .where(eq(documents.id, documentId));
  await bumpCorpusVersion(ctx.tx, row.courseId);
  await enqueueJob(ctx.tx, {
    type: "documents.purge",
    payload: { documentId },
    ownerUserId: ctx.caller.userId,
    scope: { facultyId: row.facultyId, courseId: row.courseId },
  });
  await ctx.audit({
    action: "document.delete",
    target: `document:${documentId}`,
    metadata: { courseId: row.courseId },
  });
  return { courseId: row.courseId };
}

/** Queues a fresh ingestion of an uploaded document (the live chunks stay searchable until the new ones swap in). */
export async function reindexDocument(ctx: ScopedContext, documentId: string): Promise<{ jobId: string }> {
  const row = await manageableDocument(ctx, documentId);
  if (row.status === "awaiting_upload" || !row.sha256) {
    throw new AppError(ErrorCode.CONFLICT, `Document "${documentId}" has not been uploaded yet`);
  }
  if (row.status === "queued" || row.status === "processing") {
    const jobId = await latestIngestJob(ctx.tx, documentId);
    if (jobId) return { jobId };
  }
  // A ready document stays `ready` (its chunks keep answering) until the new generation swaps in.
  if (row.status === "failed") {
    await ctx.tx.update(documents).set({ status: "queued", progress: 0, error: null, updatedAt: new Date() })
      .where(eq(documents.id, documentId));
  }
  const jobId = await enqueueIngest(ctx.tx, row, ctx.caller.userId);
  await ctx.audit({ action: "document.reindex", target: `document:${documentId}`, metadata: { jobId } });
  return { jobId };
}
