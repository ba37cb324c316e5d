import { createSHA256 } from "hash-wasm";
import { DocumentError } from "../errors.ts";
import { assertDeclaredType, bytesSource, sniffType } from "../sniff.ts";
import { type DocumentType, MIME_TYPES } from "../types.ts";
import type { StoredObject } from "./interface.ts";
import { sha256Hex } from "../../crypto.ts";

/** An incremental SHA-256, for bodies hashed while they stream to disk. */
export async function streamingSha256(): Promise<{ update(part: Uint8Array): void; hex(): string }> {
  const hasher = await createSHA256();
  hasher.init();
  return { update: (part) => void hasher.update(part), hex: () => hasher.digest("hex") };
}

/** Checks in-memory object bytes against the declared type and size; returns what the object is. */
export async function inspectBytes(
  key: string,
  bytes: Uint8Array,
  expected: { type: DocumentType; maxBytes: number },
): Promise<StoredObject> {
  if (bytes.byteLength > expected.maxBytes) throw tooLarge(expected.maxBytes);
  assertDeclaredType(expected.type, await sniffType(bytesSource(bytes)));
  return {
    key,
    size: bytes.byteLength,
    sha256: await sha256Hex(bytes),
    type: expected.type,
    contentType: MIME_TYPES[expected.type],
  };
}

/** The error for a body over its limit. */
export function tooLarge(maxBytes: number): DocumentError {
  return new DocumentError("too_large", `The upload is larger than the ${maxBytes} bytes this URL allows`);
}
