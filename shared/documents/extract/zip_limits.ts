/**
 * Checks a DOCX/PPTX zip against the document limits before anything is inflated for parsing: the central
 * directory (small, at the end of the file) gives every entry's declared sizes, and the parts a parser will read
 * are then inflated once, in small steps and with the output thrown away, to prove they are no larger than
 * declared (a directory can lie). Only then do mammoth and jszip see the file.
 */
import { DocumentError } from "../errors.ts";
import type { DocumentLimits } from "../limits.ts";

/** One entry of a zip's central directory. */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;

const MiB = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;

function corrupt(kind: string, detail: string): DocumentError {
  return new DocumentError("corrupt", `This ${kind} could not be read (${detail}); it may be damaged`);
}

/** Reads the central directory; throws `corrupt` when there is none or it points outside the file. */
export function readZipDirectory(bytes: Uint8Array, kind = "file"): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - MAX_COMMENT); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt(kind, "no zip directory found");
  let count = view.getUint16(eocd + 10, true);
  let size = view.getUint32(eocd + 12, true);
  let offset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR) {
      throw corrupt(kind, "bad zip64 directory");
    }
    const at = Number(view.getBigUint64(locator + 8, true));
    if (at + 56 > bytes.length || view.getUint32(at, true) !== ZIP64_EOCD) {
      throw corrupt(kind, "bad zip64 directory");
    }
    count = Number(view.getBigUint64(at + 32, true));
    size = Number(view.getBigUint64(at + 40, true));
    offset = Number(view.getBigUint64(at + 48, true));
  }
  if (offset + size > bytes.length) throw corrupt(kind, "zip directory outside the file");
  const entries: ZipEntry[] = [];
  const decoder = new TextDecoder();
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL) {
      throw corrupt(kind, "bad zip directory entry");
    }
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    const entry: ZipEntry = {
      name: decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength)),
      method: view.getUint16(p + 10, true),
      compressedSize: view.getUint32(p + 20, true),
      uncompressedSize: view.getUint32(p + 24, true),
      localHeaderOffset: view.getUint32(p + 42, true),
    };
    readZip64Extra(view, p + 46 + nameLength, extraLength, entry);
    entries.push(entry);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Replaces 0xFFFFFFFF sizes and offset with the zip64 extra field's 8-byte values, in the order the spec sets. */
function readZip64Extra(view: DataView, start: number, length: number, entry: ZipEntry): void {
  const wide = [entry.uncompressedSize, entry.compressedSize, entry.localHeaderOffset].map((v) =>
    v === 0xffffffff
  );
  if (!wide.some(Boolean)) return;
  for (let q = start; q + 4 <= start + length;) {
    const id = view.getUint16(q, true);
    const size = view.getUint16(q + 2, true);
    if (id === 0x0001) {
      let r = q + 4;
      const next = () => {
        const v = r + 8 <= q + 4 + size ? Number(view.getBigUint64(r, true)) : Number.MAX_SAFE_INTEGER;
        r += 8;
        return v;
      };
      if (wide[0]) entry.uncompressedSize = next();
      if (wide[1]) entry.compressedSize = next();
      if (wide[2]) entry.localHeaderOffset = next();
      return;
    }
    q += 4 + size;
  }
}

/** Parts a parser reads (XML and relationships); media are never inflated by extraction. */
const isParsedPart = (name: string) => /\.(xml|rels)$/i.test(name);

/**
 * Throws `zip_bomb` (or `corrupt`) when the zip's directory or its parsed parts break the limits; returns the
 * directory otherwise. `kind` names the file type in messages ("DOCX", "PPTX").
 */
export async function checkZipLimits(
  bytes: Uint8Array,
  limits: DocumentLimits,
  kind: string,
): Promise<ZipEntry[]> {
  const entries = readZipDirectory(bytes, kind);
  if (entries.length > limits.maxZipEntries) {
    throw new DocumentError(
      "zip_bomb",
      `This ${kind} holds ${entries.length} files; at most ${limits.maxZipEntries} are accepted`,
    );
  }
  let total = 0;
  for (const e of entries) {
    total += e.uncompressedSize;
    if (e.uncompressedSize > limits.maxEntryBytes) {
      throw new DocumentError(
        "zip_bomb",
        `This ${kind}'s part "${e.name}" inflates to ${MiB(e.uncompressedSize)}; at most ${
          MiB(limits.maxEntryBytes)
        } per part is accepted`,
      );
    }
    if (e.uncompressedSize >= limits.ratioMinBytes) {
      const ratio = e.uncompressedSize / Math.max(1, e.compressedSize);
      if (ratio > limits.maxCompressionRatio) {
        throw new DocumentError(
          "zip_bomb",
          `This ${kind}'s part "${e.name}" is compressed ${
            Math.round(ratio)
          }:1 (a zip bomb?); at most ${limits.maxCompressionRatio}:1 is accepted`,
        );
      }
    }
  }
  if (total > limits.maxInflatedBytes) {
    throw new DocumentError(
      "zip_bomb",
      `This ${kind} inflates to ${MiB(total)}; at most ${MiB(limits.maxInflatedBytes)} is accepted`,
    );
  }
  for (const e of entries.filter((e) => isParsedPart(e.name))) await verifyEntrySize(bytes, e, kind);
  return entries;
}

/** Compressed bytes fed to the inflater per step: bounds one step's output to ~1000× this. */
const STEP = 4096;

/** Inflates one entry, discarding the output, and throws `zip_bomb` as soon as it passes its declared size. */
async function verifyEntrySize(bytes: Uint8Array, entry: ZipEntry, kind: string): Promise<void> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localHeaderOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL) {
    throw corrupt(kind, "bad zip entry header");
  }
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const data = bytes.subarray(start, start + entry.compressedSize);
  if (data.length < entry.compressedSize) throw corrupt(kind, `zip entry "${entry.name}" is cut short`);
  const lied = () =>
    new DocumentError(
      "zip_bomb",
      `This ${kind}'s part "${entry.name}" inflates to more than the ${entry.uncompressedSize} bytes it declares`,
    );
  if (entry.method === 0) {
    if (entry.compressedSize > entry.uncompressedSize) throw lied();
    return;
  }
  if (entry.method !== 8) return; // other methods fail in the parser as unreadable
  const inflater = new DecompressionStream("deflate-raw");
  const writer = inflater.writable.getWriter();
  const reader = inflater.readable.getReader();
  let out = 0;
  let over = false;
  const reading = (async () => {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      out += value.length;
      if (out > entry.uncompressedSize) {
        over = true;
        await reader.cancel().catch(() => {});
        return;
      }
    }
  })();
  try {
    for (let i = 0; i < data.length && !over; i += STEP) await writer.write(data.slice(i, i + STEP));
    if (!over) await writer.close();
  } catch {
    // A broken deflate stream: the parser reports it as unreadable.
  }
  await reading.catch(() => {});
  writer.releaseLock();
  if (over) throw lied();
}
