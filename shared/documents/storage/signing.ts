import { AppError, ErrorCode } from "../../errors.ts";
import { DOCUMENT_TYPES, type DocumentType } from "../types.ts";
import { base64url, fromBase64url } from "../../crypto.ts";

/** The claims a local upload URL carries in its query string, all covered by the signature. */
export interface UploadClaims {
  documentId: string;
  type: DocumentType;
  maxBytes: number;
  /** Expiry, Unix seconds. */
  expiresAt: number;
}

const encoder = new TextEncoder();

/** HMAC-SHA256 signer for local upload URLs; the secret never leaves the core. */
export class UploadSigner {
  readonly #key: Promise<CryptoKey>;

  constructor(secret: string) {
    if (secret.length < 32) throw new RangeError("The upload signing secret must be at least 32 characters");
    this.#key = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      [
        "sign",
        "verify",
      ],
    );
  }

  /** Query parameters (`type`, `max`, `exp`, `sig`) to append to the upload URL. */
  async sign(claims: UploadClaims): Promise<URLSearchParams> {
    const sig = await crypto.subtle.sign("HMAC", await this.#key, encoder.encode(canonical(claims)));
    return new URLSearchParams({
      type: claims.type,
      max: String(claims.maxBytes),
      exp: String(claims.expiresAt),
      sig: base64url(new Uint8Array(sig)),
    });
  }

  /**
   * The claims of a signed URL, or an error: 401 when the signature is missing or the URL has expired, 403 when
   * the signature does not match (the URL was altered or signed for another document).
   */
  async verify(documentId: string, query: URLSearchParams, now = Date.now()): Promise<UploadClaims> {
    const sig = query.get("sig");
    const type = query.get("type");
    const max = query.get("max");
    const exp = query.get("exp");
    if (!sig || !type || !max || !exp) {
      throw new AppError(
        ErrorCode.UNAUTHORIZED,
        "This upload URL is not signed; request an upload URL first",
      );
    }
    const claims = { documentId, type: type as DocumentType, maxBytes: Number(max), expiresAt: Number(exp) };
    const bytes = signatureBytes(sig);
    // crypto.subtle.verify compares in constant time.
    const valid = bytes !== undefined && DOCUMENT_TYPES.includes(claims.type) &&
      /^\d{1,15}$/.test(max) && /^\d{1,12}$/.test(exp) &&
      await crypto.subtle.verify("HMAC", await this.#key, bytes, encoder.encode(canonical(claims)));
    if (!valid) {
      throw new AppError(
        ErrorCode.FORBIDDEN,
        "This upload URL's signature does not match; it was altered or issued for another document",
      );
    }
    if (claims.expiresAt * 1000 <= now) {
      throw new AppError(
        ErrorCode.UNAUTHORIZED,
        `This upload URL expired at ${new Date(claims.expiresAt * 1000).toISOString()}; request a new one`,
      );
    }
    return claims;
  }
}

function canonical(c: UploadClaims): string {
  return ["upload-v1", c.documentId, c.type, c.maxBytes, c.expiresAt].join("\n");
}

/** A signature's bytes: exactly 43 base64url characters (32 bytes), else undefined. */
function signatureBytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  return /^[A-Za-z0-9_-]{43}$/.test(text) ? fromBase64url(text) : undefined;
}
