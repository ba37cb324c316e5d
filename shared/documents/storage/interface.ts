import type { DocumentType } from "../types.ts";

/** What a caller asks for when a document is about to be uploaded. */
export interface UploadRequest {
  documentId: string;
  type: DocumentType;
  /** The declared size: local storage accepts bodies up to it, S3 signs it as the exact Content-Length. */
  maxBytes: number;
  /** Lifetime of the URL; the storage's default when absent. */
  ttlSeconds?: number;
}

/** A URL the client `PUT`s the file to, with the headers it must send. */
export interface UploadGrant {
  key: string;
  url: string;
  method: "PUT";
  headers: Record<string, string>;
  expiresAt: Date;
  maxBytes: number;
}

/** An uploaded object whose bytes were checked against what was declared. */
export interface StoredObject {
  key: string;
  size: number;
  /** Lower-case hex SHA-256 of the content, for duplicate detection within a course. */
  sha256: string;
  type: DocumentType;
  contentType: string;
}

/** Where uploaded documents live: local disk (embedded default) or an S3-compatible bucket. */
export interface DocumentStorage {
  readonly kind: "local" | "s3";
  /** The object key a document's bytes are stored under. */
  keyFor(documentId: string): string;
  /** A signed, expiring URL bound to the document, its type and its size. */
  createUploadUrl(request: UploadRequest): Promise<UploadGrant>;
  /**
   * Checks an uploaded object (size, magic bytes) and hashes it. A failing object is deleted and a
   * `DocumentError` thrown. For S3 this is how completion is verified; local uploads are checked as they arrive.
   */
  inspectObject(key: string, expected: { type: DocumentType; maxBytes: number }): Promise<StoredObject>;
  /** The object's bytes; `NOT_FOUND` when it does not exist. */
  getObject(key: string): Promise<Uint8Array>;
  /** Removes the object; removing a missing object is not an error. */
  deleteObject(key: string): Promise<void>;
}

const DOCUMENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Whether a document id is safe inside object keys and file paths (no separators, no dots). */
export function isSafeDocumentId(id: string): boolean {
  return DOCUMENT_ID.test(id);
}
