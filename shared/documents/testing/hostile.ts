/**
 * Generators of hostile documents for the limit and isolation tests: zip bombs, huge parts, deep nesting, PDFs
 * with thousands of pages or an enormous text layer, and malformed files of every type. They are built at test
 * time (a few hundred kilobytes each) so no megabytes of fixtures are committed.
 */

const encoder = new TextEncoder();

/** A zip entry to write: its bytes, stored or deflated, and optionally a size to declare instead of the real one. */
export interface RawZipEntry {
  name: string;
  /** The entry's content; for `deflated: true`, already deflate-raw compressed. */
  data: Uint8Array;
  deflated?: boolean;
  /** The inflated size written in the headers (a lying directory when it differs from the real one). */
  uncompressedSize: number;
  crc32?: number;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of bytes, continuing from `crc`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** Writes a zip file (local headers, data, central directory, end record) from raw entries. */
export function writeZip(entries: RawZipEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = encoder.encode(e.name);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(8, e.deflated ? 8 : 0, true);
    local.setUint32(14, e.crc32 ?? 0, true);
    local.setUint32(18, e.data.length, true);
    local.setUint32(22, e.uncompressedSize, true);
    local.setUint16(26, name.length, true);
    const dir = new DataView(new ArrayBuffer(46));
    dir.setUint32(0, 0x02014b50, true);
    dir.setUint16(4, 20, true);
    dir.setUint16(6, 20, true);
    dir.setUint16(10, e.deflated ? 8 : 0, true);
    dir.setUint32(16, e.crc32 ?? 0, true);
    dir.setUint32(20, e.data.length, true);
    dir.setUint32(24, e.uncompressedSize, true);
    dir.setUint16(28, name.length, true);
    dir.setUint32(42, offset, true);
    parts.push(new Uint8Array(local.buffer), name, e.data);
    central.push(new Uint8Array(dir.buffer), name);
    offset += 30 + name.length + e.data.length;
  }
  const centralSize = central.reduce((n, p) => n + p.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);
  return concat([...parts, ...central, new Uint8Array(end.buffer)]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Deflates (raw) a text produced piece by piece, without holding it whole; returns bytes, size and CRC. */
export async function deflateStream(
  pieces: Iterable<string>,
  format: "deflate-raw" | "deflate" = "deflate-raw",
): Promise<{ data: Uint8Array; size: number; crc32: number }> {
  const stream = new CompressionStream(format);
  const writer = stream.writable.getWriter();
  const out: Uint8Array[] = [];
  const reading = (async () => {
    for await (const chunk of stream.readable) out.push(chunk);
  })();
  let size = 0;
  let crc = 0;
  for (const piece of pieces) {
    const bytes = encoder.encode(piece);
    size += bytes.length;
    crc = crc32(bytes, crc);
    await writer.write(bytes);
  }
  await writer.close();
  await reading;
  return { data: concat(out), size, crc32: crc };
}

/** An entry deflated from pieces of text, declared with its true size (or `declare` when given). */
export async function deflatedEntry(
  name: string,
  pieces: Iterable<string>,
  declare?: number,
): Promise<RawZipEntry> {
  const { data, size, crc32 } = await deflateStream(pieces);
  return { name, data, deflated: true, uncompressedSize: declare ?? size, crc32 };
}

function* repeat(head: string, body: string, times: number, tail: string): Iterable<string> {
  yield head;
  const block = body.repeat(Math.max(1, Math.floor(65536 / body.length)));
  const perBlock = Math.max(1, Math.floor(65536 / body.length));
  let left = times;
  while (left >= perBlock) {
    yield block;
    left -= perBlock;
  }
  yield body.repeat(left);
  yield tail;
}

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const DOCX_TYPES =
  `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;
const DOCX_RELS =
  `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`;

/** A DOCX around a `word/document.xml` given as pieces of its body. */
async function docxWith(body: Iterable<string>, declare?: number): Promise<Uint8Array> {
  const document = await deflatedEntry(
    "word/document.xml",
    (function* () {
      yield `<?xml version="1.0" encoding="UTF-8"?><w:document ${W}><w:body>`;
      yield* body;
      yield `</w:body></w:document>`;
    })(),
    declare,
  );
  return writeZip([
    await deflatedEntry("[Content_Types].xml", [DOCX_TYPES]),
    await deflatedEntry("_rels/.rels", [DOCX_RELS]),
    document,
  ]);
}

const PARAGRAPH =
  `<w:p><w:r><w:t>The same sentence again and again, compressed to almost nothing.</w:t></w:r></w:p>`;

/** A DOCX whose document part inflates to about `inflatedBytes` of one repeated paragraph (ratio ~300:1 or more). */
export function docxBomb(inflatedBytes: number): Promise<Uint8Array> {
  return docxWith(repeat("", PARAGRAPH, Math.ceil(inflatedBytes / PARAGRAPH.length), ""));
}

/**
 * A DOCX whose document part holds `bytes` of varied text (compresses only a few times, so no ratio limit fires):
 * one huge XML part.
 */
export function docxHugePart(bytes: number): Promise<Uint8Array> {
  return docxWith((function* () {
    let seed = 7;
    let made = 0;
    while (made < bytes) {
      const words: string[] = [];
      for (let i = 0; i < 12; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        words.push(seed.toString(36));
      }
      const p = `<w:p><w:r><w:t>${words.join(" ")}.</w:t></w:r></w:p>`;
      made += p.length;
      yield p;
    }
  })());
}

/** A DOCX whose directory declares a small document part that really inflates to `realBytes` (a lying zip). */
export function docxLyingDirectory(realBytes: number): Promise<Uint8Array> {
  return docxWith(repeat("", PARAGRAPH, Math.ceil(realBytes / PARAGRAPH.length), ""), 4096);
}

/** A DOCX of many small entries that together inflate to about `totalBytes` (the bomb spread over parts). */
export async function docxManyParts(parts: number, bytesEach: number): Promise<Uint8Array> {
  const base = await docxBomb(1000);
  const media: RawZipEntry[] = [];
  for (let i = 0; i < parts; i++) {
    media.push(await deflatedEntry(`word/media/filler${i}.xml`, repeat("", "x", bytesEach, "")));
  }
  // Re-zip: the base's entries first, then the fillers.
  const { readZipDirectory } = await import("../extract/zip_limits.ts");
  const entries: RawZipEntry[] = readZipDirectory(base).map((e) => {
    const view = new DataView(base.buffer, base.byteOffset);
    const start = e.localHeaderOffset + 30 + view.getUint16(e.localHeaderOffset + 26, true) +
      view.getUint16(e.localHeaderOffset + 28, true);
    return {
      name: e.name,
      data: base.slice(start, start + e.compressedSize),
      deflated: e.method === 8,
      uncompressedSize: e.uncompressedSize,
      crc32: view.getUint32(e.localHeaderOffset + 14, true),
    };
  });
  return writeZip([...entries, ...media]);
}

/** A DOCX of tables nested `depth` deep (recursive structure for the parser). */
export function docxNestedTables(depth: number): Promise<Uint8Array> {
  return docxWith((function* () {
    for (let i = 0; i < depth; i++) yield "<w:tbl><w:tr><w:tc>";
    yield PARAGRAPH;
    for (let i = 0; i < depth; i++) yield "</w:tc></w:tr></w:tbl>";
  })());
}

const P_NS = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ' +
  'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" ' +
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

/** A PPTX with `count` slides (each a title and a line), in presentation order. */
export async function pptxSlides(
  count: number,
  slideXml?: (i: number) => Iterable<string>,
): Promise<Uint8Array> {
  const entries: RawZipEntry[] = [
    await deflatedEntry("[Content_Types].xml", [
      `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`,
    ]),
    await deflatedEntry("ppt/presentation.xml", [
      `<?xml version="1.0"?><p:presentation ${P_NS}><p:sldIdLst>`,
      ...Array.from({ length: count }, (_, i) => `<p:sldId id="${256 + i}" r:id="rId${i + 1}"/>`),
      `</p:sldIdLst></p:presentation>`,
    ]),
    await deflatedEntry("ppt/_rels/presentation.xml.rels", [
      `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`,
      ...Array.from(
        { length: count },
        (_, i) =>
          `<Relationship Id="rId${
            i + 1
          }" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide${
            i + 1
          }.xml"/>`,
      ),
      `</Relationships>`,
    ]),
  ];
  for (let i = 0; i < count; i++) {
    entries.push(
      await deflatedEntry(
        `ppt/slides/slide${i + 1}.xml`,
        slideXml?.(i) ??
          [
            `<?xml version="1.0"?><p:sld ${P_NS}><p:cSld><p:spTree><p:sp><p:nvSpPr><p:nvPr><p:ph type="title"/></p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>Slide ${
              i + 1
            }</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`,
          ],
      ),
    );
  }
  return writeZip(entries);
}

/**
 * A one-slide PPTX whose slide opens `opens` shapes and never closes them: a slide parser that matches shapes
 * with a lazy pattern rescans the rest of the part for every opening (quadratic time).
 */
export function pptxUnclosedShapes(opens: number): Promise<Uint8Array> {
  return pptxSlides(1, () =>
    repeat(
      `<?xml version="1.0"?><p:sld ${P_NS}><p:cSld><p:spTree>`,
      "<p:sp><a:p><a:r><a:t>x</a:t></a:r></a:p>",
      opens,
      "</p:spTree></p:cSld></p:sld>",
    ));
}

/**
 * A PDF of `pages` pages that all show one short line (one shared content stream and font), or `text` when
 * given, repeated `linesPerPage` times in a deflated stream: thousands of pages, or an enormous text layer, in a
 * small file.
 */
export async function pdfWithPages(
  pages: number,
  options: { text?: string; linesPerPage?: number } = {},
): Promise<Uint8Array> {
  const text = (options.text ?? "A short line of text on every page.").replace(/[()\\]/g, "");
  const lines = options.linesPerPage ?? 1;
  const { data: zlib } = await deflateStream(
    (function* () {
      // pdf.js leaves out text below the page, so the lines are packed to fit it.
      yield `BT /F1 10 Tf ${Math.min(12, 700 / lines).toFixed(3)} TL 72 720 Td `;
      for (let i = 0; i < lines; i++) yield `(${text}) Tj T* `;
      yield "ET";
    })(),
    "deflate",
  );
  const objects: (string | Uint8Array)[] = [];
  const kids = Array.from({ length: pages }, (_, i) => `${5 + i} 0 R`).join(" ");
  objects.push("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`);
  objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  objects.push(
    concat([
      encoder.encode(`<< /Length ${zlib.length} /Filter /FlateDecode >>\nstream\n`),
      zlib,
      encoder.encode("\nendstream"),
    ]),
  );
  for (let i = 0; i < pages; i++) {
    objects.push(
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>",
    );
  }
  const chunks: Uint8Array[] = [encoder.encode("%PDF-1.4\n")];
  let at = chunks[0].length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(at);
    const bytes = concat([
      encoder.encode(`${i + 1} 0 obj\n`),
      typeof body === "string" ? encoder.encode(body) : body,
      encoder.encode("\nendobj\n"),
    ]);
    chunks.push(bytes);
    at += bytes.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`];
  for (const o of offsets) xref.push(`${String(o).padStart(10, "0")} 00000 n \n`);
  xref.push(`trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${at}\n%%EOF\n`);
  chunks.push(encoder.encode(xref.join("")));
  return concat(chunks);
}

/** Malformed files of each type: right magic bytes (so type checks pass), broken insides. */
export function malformed(type: "pdf" | "docx" | "pptx" | "txt" | "md"): Uint8Array {
  switch (type) {
    case "pdf":
      return encoder.encode(
        "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF garbage",
      );
    case "docx":
    case "pptx": {
      // A zip local header naming the right folder, then nothing a reader can use (no directory).
      const name = encoder.encode(type === "docx" ? "word/document.xml" : "ppt/presentation.xml");
      const head = new DataView(new ArrayBuffer(30));
      head.setUint32(0, 0x04034b50, true);
      head.setUint16(26, name.length, true);
      return concat([new Uint8Array(head.buffer), name, crypto.getRandomValues(new Uint8Array(2000))]);
    }
    case "txt":
    case "md":
      return new Uint8Array([0x48, 0x69, 0x20, 0xc3, 0x28, 0xa0, 0xa1, 0x0a, 0x48, 0x69]);
  }
}
