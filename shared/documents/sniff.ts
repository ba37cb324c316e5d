import { DocumentError } from "./errors.ts";
import type { DocumentType } from "./types.ts";

/** What the bytes of a file say it is, whatever its name or declared type. */
export type SniffedKind = "pdf" | "docx" | "pptx" | "text" | "zip" | "ole" | "empty" | "unknown";

/** Random access to content being sniffed: an in-memory buffer or a file on disk. */
export interface ByteSource {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A byte source over an in-memory buffer. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.byteLength,
    read: (o, n) => Promise.resolve(bytes.subarray(o, Math.min(o + n, bytes.length))),
  };
}

/** A byte source over an open file (the caller closes it). */
export function fileSource(file: Deno.FsFile, size: number): ByteSource {
  return {
    size,
    async read(offset, length) {
      const out = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      await file.seek(offset, Deno.SeekMode.Start);
      let filled = 0;
      while (filled < out.length) {
        const n = await file.read(out.subarray(filled));
        if (n === null) break;
        filled += n;
      }
      return out.subarray(0, filled);
    },
  };
}

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const TEXT_READ = 1 << 20;

/** Identifies a file by its magic bytes: PDF, DOCX/PPTX (ZIP with word/ or ppt/ parts), UTF-8 text without NULs. */
export async function sniffType(source: ByteSource): Promise<SniffedKind> {
  if (source.size === 0) return "empty";
  const head = await source.read(0, 1024);
  if (startsWith(head, PDF_MAGIC)) return "pdf";
  if (startsWith(head, OLE_MAGIC)) return "ole";
  if (startsWith(head, ZIP_MAGIC)) {
    const names = await zipEntryNames(source);
    if (names.some((n) => n.startsWith("word/"))) return "docx";
    if (names.some((n) => n.startsWith("ppt/"))) return "pptx";
    return "zip";
  }
  if (await isUtf8Text(source)) return "text";
  // PDF readers accept the header anywhere in the first 1024 bytes (after binary junk, not inside a text file).
  return indexOf(head, PDF_MAGIC) >= 0 ? "pdf" : "unknown";
}

/** The sniffed kind if it may be stored under the declared type; throws a readable `DocumentError` otherwise. */
export function assertDeclaredType(declared: DocumentType, sniffed: SniffedKind): void {
  const fits = sniffed === declared || (sniffed === "text" && (declared === "txt" || declared === "md"));
  if (fits) return;
  if (sniffed === "empty") throw new DocumentError("no_text", "The file is empty");
  if (sniffed === "ole") {
    throw new DocumentError(
      declared === "pdf" ? "type_mismatch" : "encrypted",
      declared === "pdf"
        ? `The file was declared as "${declared}" but is an Office binary file`
        : "This Office file is password-protected or in the old binary format (.doc/.ppt); save it as an unprotected .docx/.pptx and upload that",
    );
  }
  const what = sniffed === "unknown" ? "not a PDF, DOCX, PPTX or UTF-8 text file" : `a ${describe(sniffed)}`;
  throw new DocumentError(
    "type_mismatch",
    `The file was declared as "${declared}" but its content is ${what}`,
  );
}

function describe(kind: SniffedKind): string {
  return { pdf: "PDF", docx: "DOCX", pptx: "PPTX", text: "text file", zip: "ZIP archive" }[kind as string] ??
    kind;
}

async function isUtf8Text(source: ByteSource): Promise<boolean> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    for (let offset = 0; offset < source.size; offset += TEXT_READ) {
      const part = await source.read(offset, TEXT_READ);
      if (part.includes(0)) return false;
      decoder.decode(part, { stream: true });
    }
    decoder.decode();
    return true;
  } catch {
    return false;
  }
}

/** Entry names from the ZIP central directory, or from local headers when the directory cannot be found. */
async function zipEntryNames(source: ByteSource): Promise<string[]> {
  // The end-of-central-directory record is 22 bytes plus a comment of at most 65535 bytes.
  const tailLength = Math.min(source.size, 22 + 65535);
  const tail = await source.read(source.size - tailLength, tailLength);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (view.getUint32(i, true) !== 0x06054b50) continue;
    const count = view.getUint16(i + 10, true);
    const size = view.getUint32(i + 12, true);
    const offset = view.getUint32(i + 16, true);
    if (offset === 0xffffffff || offset + size > source.size) break;
    return parseCentralDirectory(await source.read(offset, size), count);
  }
  return localHeaderNames(await source.read(0, Math.min(source.size, 1 << 20)));
}

function parseCentralDirectory(dir: Uint8Array, count: number): string[] {
  const view = new DataView(dir.buffer, dir.byteOffset, dir.byteLength);
  const names: string[] = [];
  let p = 0;
  for (let n = 0; n < count && p + 46 <= dir.length; n++) {
    if (view.getUint32(p, true) !== 0x02014b50) break;
    const nameLength = view.getUint16(p + 28, true);
    const extra = view.getUint16(p + 30, true);
    const comment = view.getUint16(p + 32, true);
    names.push(new TextDecoder().decode(dir.subarray(p + 46, p + 46 + nameLength)));
    p += 46 + nameLength + extra + comment;
  }
  return names;
}

function localHeaderNames(head: Uint8Array): string[] {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const names: string[] = [];
  let p = 0;
  while (p + 30 <= head.length && view.getUint32(p, true) === 0x04034b50) {
    const compressed = view.getUint32(p + 18, true);
    const nameLength = view.getUint16(p + 26, true);
    const extra = view.getUint16(p + 28, true);
    names.push(new TextDecoder().decode(head.subarray(p + 30, p + 30 + nameLength)));
    p += 30 + nameLength + extra + compressed;
  }
  return names;
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

function indexOf(bytes: Uint8Array, magic: number[]): number {
  outer: for (let i = 0; i + magic.length <= bytes.length; i++) {
    for (let j = 0; j < magic.length; j++) if (bytes[i + j] !== magic[j]) continue outer;
    return i;
  }
  return -1;
}
