import { AppError, ErrorCode, errors } from "../../errors.ts";
import { DocumentError } from "../errors.ts";
import { assertDeclaredType, fileSource, sniffType } from "../sniff.ts";
import { documentTypeOfMime, MIME_TYPES } from "../types.ts";
import type { DocumentStorage, StoredObject, UploadGrant, UploadRequest } from "./interface.ts";
import { isSafeDocumentId } from "./interface.ts";
import { inspectBytes, streamingSha256, tooLarge } from "./inspect.ts";
import { UploadSigner } from "./signing.ts";

/** Configuration of local-disk storage. */
export interface LocalStorageOptions {
  /** Directory holding uploads, e.g. `DATA_DIR/uploads`. */
  root: string;
  /** Absolute URL of the core's upload route as clients reach it, e.g. `https://api.example.edu/api/v1/uploads`. */
  uploadBaseUrl: string;
  signingSecret: string;
  defaultTtlSeconds: number;
  now?: () => number;
}

const KEY = /^documents\/([A-Za-z0-9_-]{1,128})$/;

/**
 * Documents on local disk (the embedded default). Uploads go to the core through HMAC-signed URLs; each body is
 * streamed to a temporary file, size-checked as it arrives, hashed, sniffed, and only then moved into place.
 */
export class LocalDocumentStorage implements DocumentStorage {
  readonly kind = "local";
  readonly #signer: UploadSigner;
  readonly #options: LocalStorageOptions;
  readonly #now: () => number;

  constructor(options: LocalStorageOptions) {
    this.#options = options;
    this.#signer = new UploadSigner(options.signingSecret);
    this.#now = options.now ?? Date.now;
  }

  keyFor(documentId: string): string {
    if (!isSafeDocumentId(documentId)) throw errors.badRequest(`Document id "${documentId}" is not valid`);
    return `documents/${documentId}`;
  }

  async createUploadUrl(request: UploadRequest): Promise<UploadGrant> {
    const key = this.keyFor(request.documentId);
    const expiresAt = Math.floor(this.#now() / 1000) +
      (request.ttlSeconds ?? this.#options.defaultTtlSeconds);
    const query = await this.#signer.sign({ ...request, expiresAt });
    const base = this.#options.uploadBaseUrl.replace(/\/+$/, "");
    return {
      key,
      url: `${base}/${encodeURIComponent(request.documentId)}?${query}`,
      method: "PUT",
      headers: { "content-type": MIME_TYPES[request.type] },
      expiresAt: new Date(expiresAt * 1000),
      maxBytes: request.maxBytes,
    };
  }

  /**
   * Accepts the body of a signed `PUT`: verifies the URL, streams to a temp file (413 as soon as the limit is
   * passed, the partial file removed), checks magic bytes (415), then links it into place so no reader ever sees a
   * half-written file. A second upload to the same document is refused (409) so content cannot be swapped later.
   */
  async receiveUpload(
    documentId: string,
    request: { query: URLSearchParams; body: ReadableStream<Uint8Array> | null; headers: Headers },
  ): Promise<StoredObject> {
    const key = this.keyFor(documentId);
    const claims = await this.#signer.verify(documentId, request.query, this.#now());
    const declaredMime = request.headers.get("content-type");
    if (declaredMime && documentTypeOfMime(declaredMime) !== claims.type) {
      throw new DocumentError(
        "type_mismatch",
        `The upload's Content-Type "${declaredMime}" does not match the type "${claims.type}" it was signed for`,
      );
    }
    const length = request.headers.get("content-length");
    if (length !== null && Number(length) > claims.maxBytes) throw tooLarge(claims.maxBytes);
    if (!request.body) throw new DocumentError("no_text", "The upload has no body");
    const target = this.#path(key);
    if (await exists(target)) throw errors.conflict("This document was already uploaded");

    const tmpDir = `${this.#options.root}/.tmp`;
    await Deno.mkdir(tmpDir, { recursive: true });
    const tmp = `${tmpDir}/${documentId}.${crypto.randomUUID()}.part`;
    try {
      const { size, sha256 } = await this.#writeLimited(request.body, tmp, claims.maxBytes);
      if (size === 0) throw new DocumentError("no_text", "The upload is empty");
      const file = await Deno.open(tmp, { read: true });
      try {
        assertDeclaredType(claims.type, await sniffType(fileSource(file, size)));
      } finally {
        file.close();
      }
      await Deno.mkdir(`${this.#options.root}/documents`, { recursive: true });
      // link() refuses an existing target atomically, so two racing uploads cannot both win; the temp name goes.
      await Deno.link(tmp, target).catch((err) => {
        throw err instanceof Deno.errors.AlreadyExists
          ? errors.conflict("This document was already uploaded")
          : err;
      });
      await Deno.remove(tmp);
      return { key, size, sha256, type: claims.type, contentType: MIME_TYPES[claims.type] };
    } catch (err) {
      await Deno.remove(tmp).catch(() => {});
      throw err;
    }
  }

  async #writeLimited(
    body: ReadableStream<Uint8Array>,
    path: string,
    maxBytes: number,
  ): Promise<{ size: number; sha256: string }> {
    const hash = await streamingSha256();
    const file = await Deno.open(path, { write: true, createNew: true });
    const reader = body.getReader();
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) {
          // Stop reading at once: the rest of an oversized body is never buffered or written.
          await reader.cancel().catch(() => {});
          throw tooLarge(maxBytes);
        }
        hash.update(value);
        for (let written = 0; written < value.byteLength;) {
          written += await file.write(value.subarray(written));
        }
      }
      await file.sync();
      return { size, sha256: hash.hex() };
    } finally {
      reader.releaseLock();
      file.close();
    }
  }

  async inspectObject(
    key: string,
    expected: { type: UploadRequest["type"]; maxBytes: number },
  ): Promise<StoredObject> {
    const path = this.#path(key);
    const bytes = await this.getObject(key);
    try {
      return await inspectBytes(key, bytes, expected);
    } catch (err) {
      if (err instanceof DocumentError) await Deno.remove(path).catch(() => {});
      throw err;
    }
  }

  async getObject(key: string): Promise<Uint8Array> {
    try {
      return await Deno.readFile(this.#path(key));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) throw errors.notFound(`Stored object "${key}"`);
      throw err;
    }
  }

  async deleteObject(key: string): Promise<void> {
    await Deno.remove(this.#path(key)).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
  }

  #path(key: string): string {
    if (!KEY.test(key)) throw new AppError(ErrorCode.BAD_REQUEST, `Object key "${key}" is not valid`);
    return `${this.#options.root}/${key}`;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}
