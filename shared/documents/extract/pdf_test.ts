import assert from "node:assert/strict";
import { DocumentError } from "../errors.ts";
import { chunkDocument } from "../chunker.ts";
import { ARABIC_CORPUS, referenceUnits } from "../testing/arabic_corpus.ts";
import { PDF_FIXTURES, readPdfFixture } from "../testing/fixtures.ts";
import { readingOrderScore } from "../testing/reading_order.ts";
import { extractDocument, pageText } from "./mod.ts";

Deno.test("extractDocument() reads the English algebra module page by page with its chapter headings", async () => {
  const doc = await extractDocument(await readPdfFixture(PDF_FIXTURES.english), "pdf");
  assert.equal(doc.pages.length, 23);
  assert.equal(doc.pagination, "physical");
  assert.equal(doc.title, "Simultaneous Equations");
  assert.deepEqual(doc.pages.map((p) => p.pageNumber), Array.from({ length: 23 }, (_, i) => i + 1));
  const headings = doc.pages.flatMap((p) =>
    p.blocks.filter((b) => b.kind === "heading").map((b) => `${p.pageNumber}:${b.text}`)
  );
  assert.ok(headings.includes("9:3 SIMULTANEOUS EQUATIONS CONCEPTS -- SUBSTITUTION"), headings.join("\n"));
  assert.ok(headings.includes("11:4 SIMULTANEOUS EQUATIONS CONCEPTS -- ELIMINATION"));
  // Display maths is set large but is not a heading.
  assert.ok(!headings.some((h) => h.includes("=")), headings.join("\n"));
  assert.match(pageText(doc.pages[8]), /Solving Simultaneous Equations by Substitution/);
});

Deno.test("extractDocument() removes the running footer and chapter headers of the English module", async () => {
  const doc = await extractDocument(await readPdfFixture(PDF_FIXTURES.english), "pdf");
  const all = doc.pages.map(pageText).join("\n");
  assert.equal(all.match(/This content is available for free at/g), null);
  // Chapter headers with the printed page number ("8 Chapter 2 | … by Graphing") go too.
  assert.equal(all.match(/Chapter \d \|/g), null);
});

Deno.test("extractDocument() reads 117 pages of German lecture notes with umlauts and section headings", async () => {
  const doc = await extractDocument(await readPdfFixture(PDF_FIXTURES.german), "pdf");
  assert.equal(doc.pages.length, 117);
  const headings = new Map(
    doc.pages.flatMap((p) => p.blocks.filter((b) => b.kind === "heading").map((b) => [b.text, p.pageNumber])),
  );
  assert.equal(headings.get("1.1 Topologische Räume"), 6);
  assert.equal(headings.get("3.3 Überlagerungen"), 55);
  assert.equal(headings.get("5.3 Gauß-Krümmung"), 95);
  // Chapters rank above sections.
  const level = (text: string) =>
    doc.pages.flatMap((p) => p.blocks).find((b) => b.kind === "heading" && b.text === text)?.level;
  assert.ok(level("1 Topologische Grundbegriffe")! < level("1.1 Topologische Räume")!);
  assert.match(pageText(doc.pages[1]), /Wintersemester 2013\/2014/);
  // Running headers such as "52 3.3. ÜBERLAGERUNGEN" are gone, the body under them stays.
  const all = doc.pages.map(pageText).join("\n");
  assert.doesNotMatch(all, /\d+ \d\.\d\. [A-ZÄÖÜ]{4,}/);
  assert.match(pageText(doc.pages[54]), /^Beweis: Sei γ : I → X ein geschlossener Weg um x\./);
});

Deno.test("extractDocument() returns the Arabic word of the one-word PDF in reading order, without glyph debris", async () => {
  const doc = await extractDocument(await readPdfFixture(PDF_FIXTURES.arabic), "pdf");
  assert.equal(doc.pages.length, 1);
  // pdf.js alone yields "habibi يبيبَح يبيبَحϲΒϴΒ ˴\u0003": reversed, with raw glyph ids of unmapped glyphs.
  assert.equal(pageText(doc.pages[0]), "habibi حَبيبي حَبيبي");
});

Deno.test("extractDocument() rejects the password-protected PDF with a readable reason", async () => {
  const bytes = await readPdfFixture(PDF_FIXTURES.encrypted);
  await assert.rejects(() => extractDocument(bytes, "pdf"), (err: unknown) => {
    assert.ok(err instanceof DocumentError);
    assert.equal(err.reason, "encrypted");
    assert.equal(err.message, "This PDF is password-protected; upload an unprotected copy");
    return true;
  });
});

Deno.test("extractDocument() rejects a truncated PDF as corrupt", async () => {
  const bytes = (await readPdfFixture(PDF_FIXTURES.english)).slice(0, 4000);
  await assert.rejects(() => extractDocument(bytes, "pdf"), (err: unknown) => {
    assert.ok(err instanceof DocumentError);
    assert.equal(err.reason, "corrupt");
    assert.match(err.message, /^This PDF could not be read/);
    return true;
  });
});

Deno.test("extractDocument() leaves the caller's buffer intact (pdf.js gets a copy)", async () => {
  const bytes = await readPdfFixture(PDF_FIXTURES.arabic);
  await extractDocument(bytes, "pdf");
  assert.equal(bytes.byteLength, 14957);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 5)), "%PDF-");
});

/** A valid one-page PDF whose page draws nothing: what a scan without OCR looks like to a text extractor. */
function blankPdf(): Uint8Array {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    "<< /Length 0 >>\nstream\n\nendstream",
  ];
  let pdf = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) pdf += `${String(o).padStart(10, "0")} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(pdf);
}

Deno.test("extractDocument() rejects a PDF without a text layer with a hint about scans", async () => {
  await assert.rejects(() => extractDocument(blankPdf(), "pdf"), (err: unknown) => {
    assert.ok(err instanceof DocumentError);
    assert.equal(err.reason, "no_text");
    assert.match(err.message, /no extractable text \(it may be scanned images\)/);
    return true;
  });
});

for (const source of ARABIC_CORPUS) {
  Deno.test(`extractDocument() returns every line of the generated ${source.file} intact and in reading order`, async () => {
    const doc = await extractDocument(await readPdfFixture(`generated/${source.file}`), "pdf");
    const chunks = chunkDocument(doc.pages).map((c) => c.text);
    assert.deepEqual(readingOrderScore(referenceUnits(source), chunks).missing, source.lost ?? []);
    const all = doc.pages.map(pageText).join("\n");
    assert.ok(!all.includes("\u0640"), "no kashida left");
    if (doc.pages.length >= 2) {
      // Running header and page-number footer stay out of the text.
      assert.ok(!all.includes(source.header), all);
      assert.doesNotMatch(all, /صفحة \d/);
    }
  });
}

Deno.test("extractDocument() keeps the right column of a two-column Arabic page before the left one", async () => {
  const doc = await extractDocument(await readPdfFixture("generated/ar_two_columns.pdf"), "pdf");
  const text = pageText(doc.pages[0]);
  const right = text.indexOf("افتتحت كلية العلوم مختبر الكيمياء الجديد");
  const left = text.indexOf("على تطوير المقررات العملية");
  assert.ok(right >= 0 && left > right, text);
});
