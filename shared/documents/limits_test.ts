import assert from "node:assert/strict";
import { DEFAULT_DOCUMENT_LIMITS, DocumentError, type DocumentLimits, processDocument } from "./mod.ts";
import type { DocumentType } from "./types.ts";
import {
  docxBomb,
  docxHugePart,
  docxLyingDirectory,
  docxManyParts,
  docxNestedTables,
  malformed,
  pdfWithPages,
  pptxSlides,
} from "./testing/hostile.ts";
import { buildDocx } from "./testing/office_fixtures.ts";

const MiB = 1024 * 1024;

async function failure(
  bytes: Uint8Array,
  type: DocumentType,
  limits: Partial<DocumentLimits> = {},
): Promise<DocumentError> {
  try {
    await processDocument(bytes, type, { limits: { ...DEFAULT_DOCUMENT_LIMITS, ...limits } });
  } catch (err) {
    if (err instanceof DocumentError) return err;
    throw err;
  }
  throw new Error("the document was accepted");
}

Deno.test("a DOCX that inflates 300:1 to 52 MB fails as a zip bomb under the default limits", async () => {
  const bytes = await docxBomb(52 * MiB);
  assert.ok(bytes.length < 400_000, `generated ${bytes.length} bytes`);
  const err = await failure(bytes, "docx");
  assert.equal(err.reason, "zip_bomb");
  assert.match(err.message, /word\/document\.xml/);
});

Deno.test("a DOCX entry over the compression ratio fails by ratio even under the size limits", async () => {
  const err = await failure(await docxBomb(3 * MiB), "docx", { maxEntryBytes: 100 * MiB });
  assert.equal(err.reason, "zip_bomb");
  assert.match(err.message, /compressed \d+:1/);
});

Deno.test("a DOCX of many parts fails on its total inflated size before anything is inflated", async () => {
  const err = await failure(await docxManyParts(6, 2 * MiB), "docx", {
    maxInflatedBytes: 8 * MiB,
    maxCompressionRatio: 100_000,
  });
  assert.equal(err.reason, "zip_bomb");
  assert.match(err.message, /inflates to 12 MiB; at most 8 MiB/);
});

Deno.test("a DOCX with one huge XML part of varied text fails on the per-part size", async () => {
  const err = await failure(await docxHugePart(3 * MiB), "docx", { maxEntryBytes: 2 * MiB });
  assert.equal(err.reason, "zip_bomb");
  assert.match(err.message, /part "word\/document\.xml" inflates to 3 MiB; at most 2 MiB/);
});

Deno.test("a DOCX whose directory declares less than its part inflates to is caught while inflating", async () => {
  const err = await failure(await docxLyingDirectory(20 * MiB), "docx");
  assert.equal(err.reason, "zip_bomb");
  assert.match(err.message, /more than the 4096 bytes it declares/);
});

Deno.test("a DOCX of tables nested 2000 deep ends with a reason, not a crash", async () => {
  const err = await failure(await docxNestedTables(2000), "docx");
  assert.ok(["corrupt", "no_text"].includes(err.reason) || err.reason === "zip_bomb", err.reason);
});

Deno.test("a PDF of 5000 pages fails on its page count before any page is read", async () => {
  const bytes = await pdfWithPages(5000);
  assert.ok(bytes.length < 1_000_000);
  const started = performance.now();
  const err = await failure(bytes, "pdf");
  assert.equal(err.reason, "too_many_pages");
  assert.match(err.message, /5000 pages; at most 2000/);
  assert.ok(performance.now() - started < 20_000);
});

Deno.test("a PDF whose text layer is enormous stops at the character limit", async () => {
  const bytes = await pdfWithPages(20, { linesPerPage: 3000 });
  const err = await failure(bytes, "pdf", { maxChars: 500_000 });
  assert.equal(err.reason, "too_much_text");
});

Deno.test("a PPTX with more slides than allowed fails before its slides are read", async () => {
  const err = await failure(await pptxSlides(30), "pptx", { maxSlides: 20 });
  assert.equal(err.reason, "too_many_pages");
  assert.match(err.message, /30 slides; at most 20/);
});

Deno.test("a document cut into more chunks than allowed fails before anything is embedded", async () => {
  const paragraphs = Array.from({ length: 60 }, (_, i) => ({
    text: `Paragraph ${i} has enough words to stand on its own as a passage. `.repeat(20),
  }));
  const err = await failure(await buildDocx(paragraphs), "docx", { maxChunks: 10 });
  assert.equal(err.reason, "too_many_chunks");
});

Deno.test("a text file longer than the character limit fails with too_much_text", async () => {
  const err = await failure(new TextEncoder().encode("word ".repeat(50_000)), "txt", { maxChars: 100_000 });
  assert.equal(err.reason, "too_much_text");
});

// Text that is not valid UTF-8 is not text at all: the type check names it before extraction.
const MALFORMED_REASON = {
  pdf: "corrupt",
  docx: "corrupt",
  pptx: "corrupt",
  txt: "type_mismatch",
  md: "type_mismatch",
};
for (const type of ["pdf", "docx", "pptx", "txt", "md"] as const) {
  Deno.test(`a malformed ${type} fails as ${MALFORMED_REASON[type]} with a readable message`, async () => {
    const err = await failure(malformed(type), type);
    assert.equal(err.reason, MALFORMED_REASON[type]);
    assert.ok(err.message.length > 20);
  });
}

Deno.test("real documents within the limits still extract", async () => {
  const docx = await buildDocx([{ heading: 1, text: "Statics" }, { text: "A truss carries axial force." }]);
  const processed = await processDocument(docx, "docx");
  assert.equal(processed.chunks.length, 1);
  // The same line repeats on every page: the first and last two of each are dropped as running headers.
  const pdf = await processDocument(await pdfWithPages(3, { linesPerPage: 5 }), "pdf");
  assert.equal(processed.pageCount, 1);
  assert.equal(pdf.pageCount, 3);
});
