import { AwsClient } from "aws4fetch";
import { AppError, ErrorCode, errors } from "../../errors.ts";
import { DocumentError } from "../errors.ts";
import { MIME_TYPES } from "../types.ts";
import type { DocumentStorage, StoredObject, UploadGrant, UploadRequest } from "./interface.ts";
import { isSafeDocumentId } from "./interface.ts";
import { inspectBytes, tooLarge } from "./inspect.ts";

/** Configuration of an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO). */
export interface S3StorageOptions {
  /** e.g. `https://s3.eu-central-1.amazonaws.com`, `https://<account>.r2.cloudflarestorage.com`, `http://minio:9000`. */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`; MinIO needs it. */
  forcePathStyle: boolean;
  /** Prefix of every object key, e.g. `uploads/`. */
  keyPrefix?: string;
  defaultTtlSeconds: number;
  /** Retries of 5xx/429 answers for get/delete (aws4fetch backs off exponentially). */
  retries?: number;
  now?: () => number;
}

// AWS caps presigned URLs at seven days.
const MAX_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Documents in an S3-compatible bucket. Clients upload straight to the bucket with a presigned `PUT` whose
 * signature covers Content-Type and Content-Length, so the bucket itself refuses another type or size;
 * `inspectObject` then checks the magic bytes once the client reports completion.
 */
export class S3DocumentStorage implements DocumentStorage {
  readonly kind = "s3";
  readonly #client: AwsClient;
  readonly #options: S3StorageOptions;
  readonly #now: () => number;

  constructor(options: S3StorageOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#client = new AwsClient({
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      sessionToken: options.sessionToken,
      service: "s3",
      region: options.region,
      retries: options.retries ?? 3,
    });
  }

  keyFor(documentId: string): string {
    if (!isSafeDocumentId(documentId)) throw errors.badRequest(`Document id "${documentId}" is not valid`);
    return `${this.#options.keyPrefix ?? ""}documents/${documentId}`;
  }

  /** The object's URL, path-style or virtual-hosted. */
  objectUrl(key: string): URL {
    const endpoint = new URL(this.#options.endpoint);
    const path = key.split("/").map(encodeURIComponent).join("/");
    if (this.#options.forcePathStyle) {
      return new URL(
        `${endpoint.origin}${endpoint.pathname.replace(/\/+$/, "")}/${this.#options.bucket}/${path}`,
      );
    }
    return new URL(`${endpoint.protocol}//${this.#options.bucket}.${endpoint.host}/${path}`);
  }

  async createUploadUrl(request: UploadRequest): Promise<UploadGrant> {
    const key = this.keyFor(request.documentId);
    const ttl = Math.min(request.ttlSeconds ?? this.#options.defaultTtlSeconds, MAX_TTL_SECONDS);
    const url = this.objectUrl(key);
    url.searchParams.set("X-Amz-Expires", String(ttl));
    const headers = { "content-type": MIME_TYPES[request.type], "content-length": String(request.maxBytes) };
    const now = this.#now();
    const signed = await this.#client.sign(url.toString(), {
      method: "PUT",
      headers,
      // allHeaders: aws4fetch leaves Content-Type/-Length unsigned by default; signing them binds type and size.
      aws: { signQuery: true, allHeaders: true, datetime: amzDate(now) },
    });
    return {
      key,
      url: signed.url,
      method: "PUT",
      headers,
      expiresAt: new Date(Math.floor(now / 1000) * 1000 + ttl * 1000),
      maxBytes: request.maxBytes,
    };
  }

  async inspectObject(
    key: string,
    expected: { type: UploadRequest["type"]; maxBytes: number },
  ): Promise<StoredObject> {
    const head = await this.#send("HEAD", key);
    const length = Number(head.headers.get("content-length"));
    if (length > expected.maxBytes) {
      await this.deleteObject(key);
      throw tooLarge(expected.maxBytes);
    }
    const bytes = await this.getObject(key);
    try {
      return await inspectBytes(key, bytes, expected);
    } catch (err) {
      if (err instanceof DocumentError) await this.deleteObject(key);
      throw err;
    }
  }

  async getObject(key: string): Promise<Uint8Array> {
    const res = await this.#send("GET", key);
    return new Uint8Array(await res.arrayBuffer());
  }

  async deleteObject(key: string): Promise<void> {
    await this.#send("DELETE", key, [404]);
  }

  async #send(method: string, key: string, alsoOk: number[] = []): Promise<Response> {
    let res: Response;
    try {
      res = await this.#client.fetch(this.objectUrl(key).toString(), { method });
    } catch (err) {
      throw new AppError(ErrorCode.BAD_GATEWAY, `Object storage did not answer (${method} "${key}")`, {
        cause: err,
      });
    }
    if (res.ok || alsoOk.includes(res.status)) return res;
    await res.body?.cancel();
    if (res.status === 404) throw errors.notFound(`Stored object "${key}"`);
    throw new AppError(ErrorCode.BAD_GATEWAY, `Object storage answered ${res.status} to ${method} "${key}"`);
  }
}

/** `YYYYMMDDTHHMMSSZ`, the timestamp format SigV4 signs. */
function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[:-]|\.\d{3}/g, "");
}
