import { Buffer } from "node:buffer";

/** A cached response as stored in the KV store (JSON). */
export interface CacheEntry {
  status: number;
  headers: [string, string][];
  /** Body, base64. */
  body: string;
  etag?: string;
  /** When the entry was stored or last revalidated, and until when it is fresh (epoch ms). */
  storedAt: number;
  freshUntil: number;
  /** Request header values the response varied on, as they were when it was stored. */
  vary: Record<string, string>;
  /** Scope versions (`course:<id>` → version) for scoped entries; absent for public ones. */
  scopes?: Record<string, number>;
}

/** Response headers kept with an entry; everything else is per-response (date, request id, cookies). */
export const STORED_HEADERS = [
  "content-type",
  "content-language",
  "cache-control",
  "etag",
  "last-modified",
  "vary",
] as const;

/** Parsed `Cache-Control` directives (names lowercased; values unquoted). */
export function parseCacheControl(header: string | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(",")) {
    const [name, ...rest] = part.trim().split("=");
    if (name) out.set(name.toLowerCase(), rest.join("=").replace(/^"|"$/g, ""));
  }
  return out;
}

/** Whether `If-None-Match` matches an entity tag (weak comparison, RFC 9110 §13.1.2). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string | undefined): boolean {
  if (!ifNoneMatch || !etag) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((t) => t.trim() === "*" || bare(t) === bare(etag));
}

/** Encodes an entry for the KV store. */
export function encodeEntry(entry: CacheEntry): string {
  return JSON.stringify(entry);
}

/** Decodes an entry; null when it is not one (then it is treated as absent). */
export function decodeEntry(raw: string | null): CacheEntry | null {
  if (raw === null) return null;
  try {
    const entry = JSON.parse(raw);
    return typeof entry?.status === "number" && typeof entry.body === "string" ? entry : null;
  } catch {
    return null;
  }
}

/** Bytes as base64. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** base64 as bytes. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(text, "base64"));
}
