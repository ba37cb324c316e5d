/**
 * Hashing and encoding helpers every tier uses: SHA-256 (hex, bytes, base64url), base64url both ways and random
 * tokens. Base64url and the synchronous digest go through node:crypto / node:buffer, one native call on the calling
 * thread; the asynchronous digest goes through Web Crypto, which hashes off the calling thread (large bodies).
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";

const encoder = new TextEncoder();

function bytesOf(data: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return typeof data === "string" ? encoder.encode(data) : new Uint8Array(data);
}

/** SHA-256 of text (UTF-8) or bytes, by Web Crypto. */
export async function sha256(data: string | Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytesOf(data)));
}

/** Lower-case hex SHA-256 of text or bytes; `byteLength` keeps only its first bytes (shorter keys and tags). */
export async function sha256Hex(data: string | Uint8Array, byteLength?: number): Promise<string> {
  const digest = await sha256(data);
  return toHex(byteLength === undefined ? digest : digest.slice(0, byteLength));
}

/**
 * Base64url SHA-256 computed on the calling thread (node:crypto): for small inputs on hot paths such as the edge's
 * assertion, where Web Crypto's worker-thread round trip costs more than the hash itself.
 */
export function sha256Base64urlSync(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("base64url");
}

/**
 * SHA-256 bytes computed on the calling thread (node:crypto): for the per-request hashes of small inputs (a
 * response's ETag, a POST cache key, a scope fingerprint). Web Crypto's `digest` hands every call to a worker
 * thread and back, and on a busy machine that round trip, not the hash, is what shows on a request's tail.
 */
export function sha256Sync(data: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const digest = createHash("sha256").update(data).digest();
  const out = new Uint8Array(digest.byteLength);
  out.set(digest);
  return out;
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Base64url (RFC 4648 §5, no padding) of text (UTF-8) or bytes. */
export function base64url(data: string | Uint8Array): string {
  return (typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data)).toString("base64url");
}

/** The bytes of a base64url text (padding optional); throws a TypeError on any other character or length. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const bare = text.replace(/={1,2}$/, "");
  if (!/^[A-Za-z0-9_-]*$/.test(bare) || bare.length % 4 === 1) {
    throw new TypeError(`Not base64url: "${text.slice(0, 24)}"`);
  }
  return new Uint8Array(Buffer.from(bare, "base64url"));
}

/** A random token of `byteLength` random bytes, base64url. */
export function randomToken(byteLength = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(byteLength)));
}
