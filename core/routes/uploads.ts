import { createRoute, z } from "@hono/zod-openapi";
import { contract } from "../http/contract.ts";
import type { CoreApp } from "../services.ts";
import type { StoredObject } from "../../shared/documents/storage/interface.ts";
import type { LocalDocumentStorage } from "../../shared/documents/storage/local.ts";
import { DOCUMENT_TYPES } from "../../shared/documents/types.ts";

/** Path prefix of signed uploads; the app's general body limit must skip it (the route enforces its own). */
export const UPLOAD_PATH_PREFIX = "/v1/uploads/";

/** Whether a request path is a signed upload (pass as `bodyLimitExempt` to `createServiceApp`). */
export function isUploadPath(path: string): boolean {
  return path.startsWith(UPLOAD_PATH_PREFIX);
}

/** What the upload route needs: local storage, and what to do once a file is safely stored. */
export interface UploadRouteDeps {
  storage: LocalDocumentStorage;
  /**
   * Called after the file is stored and checked, e.g. to record size and hash and enqueue ingestion. If it throws,
   * the stored file is removed again (so the same URL can be retried) and the error becomes the response.
   */
  onUploaded: (documentId: string, stored: StoredObject) => Promise<{ jobId?: string } | void>;
}

const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
    details: z.unknown().optional(),
  }),
});
const problem = (description: string) => ({
  description,
  content: { "application/json": { schema: errorSchema } },
});

const uploadRoute = createRoute({
  method: "put",
  path: "/v1/uploads/{documentId}",
  ...contract({ access: "public" }),
  summary: "Upload a document's bytes to a signed URL",
  description:
    "The raw file is the request body. The URL comes from the document-creation endpoint and is bound " +
    "to the document, its type and its maximum size until it expires. No other credential is needed.",
  request: {
    params: z.object({ documentId: z.string() }),
    query: z.object({
      // Plain strings: a tampered value must reach the signature check (403), not fail validation (400).
      type: z.string().optional(),
      max: z.string().optional(),
      exp: z.string().optional(),
      sig: z.string().optional(),
    }),
  },
  responses: {
    202: {
      description: "Stored; processing is queued",
      content: {
        "application/json": {
          schema: z.object({
            documentId: z.string(),
            sizeBytes: z.number().int(),
            sha256: z.string(),
            type: z.enum(DOCUMENT_TYPES),
            jobId: z.string().optional(),
          }),
        },
      },
    },
    401: problem("The URL is unsigned or expired"),
    403: problem("The signature does not match"),
    409: problem("The document was already uploaded"),
    413: problem("The body is larger than the URL allows"),
    415: problem("The content is not of the type the URL was issued for"),
  },
});

/** `PUT /v1/uploads/:documentId`: receives a signed local upload and hands the stored file to `onUploaded`. */
export function registerUploadRoutes(app: CoreApp, deps: UploadRouteDeps): void {
  app.openapi(uploadRoute, async (c) => {
    const { documentId } = c.req.valid("param");
    const stored = await deps.storage.receiveUpload(documentId, {
      query: new URL(c.req.url).searchParams,
      body: c.req.raw.body,
      headers: c.req.raw.headers,
    });
    let queued: { jobId?: string } | void;
    try {
      queued = await deps.onUploaded(documentId, stored);
    } catch (err) {
      await deps.storage.deleteObject(stored.key);
      throw err;
    }
    return c.json(
      { documentId, sizeBytes: stored.size, sha256: stored.sha256, type: stored.type, ...(queued ?? {}) },
      202,
    );
  });
}
