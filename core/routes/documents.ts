import { createRoute, z } from "@hono/zod-openapi";
import { contract, SIGNED_IN, STAFF } from "../http/contract.ts";
import { jobStatusUrl } from "../jobs/jobs.ts";
import { PRIVATE_CACHE } from "../http/cache.ts";
import * as docs from "../documents/documents.ts";
import { bumpScopeVersion } from "../../shared/kv/cache_scope.ts";
import type { LocalDocumentStorage } from "../../shared/documents/storage/local.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import type { CoreApp, CoreServices } from "../services.ts";
import { errorResponses, IdParam, jsonResponse, pageSchema, scoped } from "./common.ts";
import { pageQuery } from "../academics/pagination.ts";
import { registerUploadRoutes } from "./uploads.ts";

const tags = ["documents"];
const Accepted = z.object({
  documentId: z.uuid(),
  jobId: z.uuid().nullable(),
  statusUrl: z.string().nullable(),
})
  .openapi("DocumentJob");
const statusUrl = (jobId: string | null) => jobId ? jobStatusUrl(jobId) : null;

const create = createRoute({
  method: "post",
  path: "/v1/courses/{id}/documents",
  tags,
  summary: "Start a document upload (course instructors, admins): returns a signed upload URL",
  ...contract({ access: STAFF, rateLimit: "upload", created: "/api/v1/documents/{documentId}" }),
  request: {
    params: IdParam,
    body: { content: { "application/json": { schema: docs.DocumentCreate } }, required: true },
  },
  responses: {
    201: jsonResponse(docs.UploadGrantBody, "Upload URL issued"),
    ...errorResponses,
    413: jsonResponse(z.object({}), "Declared size over the limit"),
    415: jsonResponse(z.object({}), "Unsupported type"),
  },
});
const list = createRoute({
  method: "get",
  path: "/v1/courses/{id}/documents",
  tags,
  summary: "The course's documents with status, pages, chunks, progress and error (readers of the course)",
  ...contract({ access: SIGNED_IN }),
  request: { params: IdParam, query: z.object(pageQuery) },
  responses: {
    200: jsonResponse(pageSchema(docs.DocumentBody), "A page of documents, newest first"),
    ...errorResponses,
  },
});
const get = createRoute({
  method: "get",
  path: "/v1/documents/{id}",
  tags,
  summary: "One document (readers of its course)",
  ...contract({ access: SIGNED_IN }),
  request: { params: IdParam },
  responses: { 200: jsonResponse(docs.DocumentBody, "The document"), ...errorResponses },
});
const file = createRoute({
  method: "get",
  path: "/v1/documents/{id}/file",
  tags,
  summary: "The document's file as uploaded (readers of its course): the web app shows cited pages from it",
  ...contract({ access: SIGNED_IN }),
  request: { params: IdParam },
  responses: {
    200: { description: "The file's bytes", content: { "application/octet-stream": { schema: z.string() } } },
    ...errorResponses,
  },
});
const complete = createRoute({
  method: "post",
  path: "/v1/documents/{id}/complete",
  tags,
  summary: "Finish an upload (S3: checks the object) and queue ingestion; idempotent",
  ...contract({ access: STAFF, rateLimit: "upload" }),
  request: { params: IdParam },
  responses: { 202: jsonResponse(Accepted, "Ingestion queued"), ...errorResponses },
});
const remove = createRoute({
  method: "delete",
  path: "/v1/documents/{id}",
  tags,
  summary: "Soft-delete a document: its chunks leave search at once; vectors and bytes are purged by a job",
  ...contract({ access: STAFF }),
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});
const reindex = createRoute({
  method: "post",
  path: "/v1/documents/{id}/reindex",
  tags,
  summary: "Ingest an uploaded document again (its current chunks answer until the new ones swap in)",
  ...contract({ access: STAFF, rateLimit: "upload" }),
  request: { params: IdParam },
  responses: { 202: jsonResponse(Accepted, "Ingestion queued"), ...errorResponses },
});

/** Invalidates cached search answers of a course after a change committed; a KV failure only delays that. */
export async function bumpCourseCache(services: CoreServices, courseId: string): Promise<void> {
  try {
    await bumpScopeVersion(services.kv, `course:${courseId}`);
  } catch (err) {
    // The database corpus version was bumped in the change's transaction, so core's own cache is already invalid.
    services.logger.warn("cache scope bump failed", { courseId, error: String(err) });
  }
}

/**
 * The local upload route, resolved per request so the storage (and its kept secret) is created on first use and a
 * process on S3 answers 404 here.
 */
function registerLocalUploads(app: CoreApp, services: CoreServices): void {
  const local = async () => {
    const storage = await services.documents.storage();
    if (storage.kind !== "local") {
      throw new AppError(ErrorCode.NOT_FOUND, "Uploads go straight to the bucket here");
    }
    return storage as LocalDocumentStorage;
  };
  const proxy = {
    receiveUpload: async (...args: Parameters<LocalDocumentStorage["receiveUpload"]>) =>
      (await local()).receiveUpload(...args),
    deleteObject: async (key: string) => (await local()).deleteObject(key),
  } as unknown as LocalDocumentStorage;
  registerUploadRoutes(app, {
    storage: proxy,
    onUploaded: (documentId, stored) => docs.acceptUpload(services.database, documentId, stored),
  });
}

/** Document routes: upload grants, the local signed upload, completion, listing, the file, delete and re-index. */
export function registerDocumentRoutes(app: CoreApp, services: CoreServices): void {
  registerLocalUploads(app, services);
  app.openapi(create, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const grant = await scoped(c, (ctx) => docs.createDocument(ctx, c.var.services.documents, id, body));
    return c.json(grant, 201);
  });
  app.openapi(list, async (c) => {
    const { id } = c.req.valid("param");
    const page = await scoped(c, (ctx) =>
      docs.listDocuments(ctx, id, {
        ...c.req.valid("query"),
        uploadUrlTtlSeconds: c.var.services.documents.uploadUrlTtlSeconds,
      }), { readOnly: true });
    c.header("Cache-Control", PRIVATE_CACHE);
    return c.json({ items: page.rows.map(docs.toDocumentBody), nextCursor: page.nextCursor }, 200);
  });
  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const row = await scoped(c, (ctx) =>
      docs.getDocument(ctx, id, {
        uploadUrlTtlSeconds: c.var.services.documents.uploadUrlTtlSeconds,
      }), { readOnly: true });
    c.header("Cache-Control", PRIVATE_CACHE);
    return c.json(docs.toDocumentBody(row), 200);
  });
  app.openapi(file, async (c) => {
    const { id } = c.req.valid("param");
    const row = await scoped(c, (ctx) =>
      docs.getDocument(ctx, id, {
        uploadUrlTtlSeconds: c.var.services.documents.uploadUrlTtlSeconds,
      }), { readOnly: true });
    if (!row.sha256) {
      throw new AppError(ErrorCode.CONFLICT, `Document "${id}" has no file yet; it has not been uploaded`);
    }
    const storage = await c.var.services.documents.storage();
    const bytes = await storage.getObject(row.storageKey ?? storage.keyFor(row.id));
    const name = row.fileName.replace(/["\\\r\n]/g, "_");
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": row.mime,
      "Content-Disposition": `inline; filename="${name}"`,
      // A document's file never changes (a new file is a new document), so the browser may keep it a while.
      "Cache-Control": "private, max-age=300",
      ETag: `"${row.sha256}"`,
    });
  });
  app.openapi(complete, async (c) => {
    const { id } = c.req.valid("param");
    const s = c.var.services;
    const outcome = await scoped(c, (ctx) => docs.completeDocument(ctx, s.documents, id));
    let jobId = outcome.jobId;
    if (outcome.pending) {
      try {
        jobId = (await docs.acceptUpload(s.database, id, outcome.pending)).jobId;
      } catch (err) {
        // A refused object (a duplicate, a deleted document) must not linger in the bucket.
        const reason = err instanceof AppError
          ? (err.details as { reason?: string } | undefined)?.reason
          : undefined;
        // Another completion accepted this very object: it is the document's file now, so it stays.
        if (reason !== "already_uploaded") {
          await (await s.documents.storage()).deleteObject(outcome.pending.key);
        }
        throw err;
      }
    }
    return c.json({ documentId: id, jobId, statusUrl: statusUrl(jobId) }, 202);
  });
  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    const { courseId } = await scoped(c, (ctx) => docs.deleteDocument(ctx, id));
    await bumpCourseCache(c.var.services, courseId);
    return c.body(null, 204);
  });
  app.openapi(reindex, async (c) => {
    const { id } = c.req.valid("param");
    const { jobId } = await scoped(c, (ctx) => docs.reindexDocument(ctx, id));
    return c.json({ documentId: id, jobId, statusUrl: statusUrl(jobId) }, 202);
  });
}
