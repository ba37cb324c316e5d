import assert from "node:assert/strict";
import JSZip from "jszip";
import { DocumentError } from "../errors.ts";
import { ARABIC_CORPUS, referenceUnits } from "../testing/arabic_corpus.ts";
import { readPdfFixture } from "../testing/fixtures.ts";
import { buildDocx, buildPptx } from "../testing/office_fixtures.ts";
import { readingOrderScore } from "../testing/reading_order.ts";
import { extractDocument, pageText } from "./mod.ts";

Deno.test("extractDocument() reads DOCX headings from styles and makes each top-level section a page", async () => {
  const bytes = await buildDocx([
    { heading: 1, text: "Linear equations" },
    { text: "A linear equation has the form a·x + b = 0 & more." },
    { heading: 2, text: "Worked example" },
    { text: "Solve 2x + 4 = 0." },
    { heading: 1, text: "المعادلات الخطية" },
    { text: "المعادلة الخطية من الدرجة الأولى." },
  ]);
  const doc = await extractDocument(bytes, "docx");
  assert.equal(doc.pagination, "logical");
  assert.deepEqual(doc.pages, [
    {
      pageNumber: 1,
      blocks: [
        { kind: "heading", text: "Linear equations", level: 1 },
        { kind: "paragraph", text: "A linear equation has the form a·x + b = 0 & more." },
        { kind: "heading", text: "Worked example", level: 2 },
        { kind: "paragraph", text: "Solve 2x + 4 = 0." },
      ],
    },
    {
      pageNumber: 2,
      blocks: [
        { kind: "heading", text: "المعادلات الخطية", level: 1 },
        { kind: "paragraph", text: "المعادلة الخطية من الدرجة الأولى." },
      ],
    },
  ]);
});

Deno.test("extractDocument() rejects a ZIP with word/ parts but no document as a corrupt DOCX", async () => {
  const zip = new JSZip();
  zip.file("word/styles.xml", "<w:styles/>");
  const bytes = await zip.generateAsync({ type: "uint8array" });
  await assert.rejects(() => extractDocument(bytes, "docx"), (err: unknown) => {
    assert.ok(err instanceof DocumentError);
    assert.equal(err.reason, "corrupt");
    assert.match(err.message, /^This DOCX could not be read/);
    return true;
  });
});

Deno.test("extractDocument() reads PPTX slides in presentation order, one page each, titles as headings", async () => {
  const bytes = await buildPptx([
    { title: "Week 1: Vectors", lines: ["Definition", "Addition & scaling"] },
    { title: "Week 2: Matrices", lines: ["Multiplication"] },
    { title: "Summary", lines: [] },
  ]);
  const doc = await extractDocument(bytes, "pptx");
  assert.equal(doc.title, "Week 1: Vectors");
  assert.deepEqual(doc.pages, [
    {
      pageNumber: 1,
      blocks: [
        { kind: "heading", text: "Week 1: Vectors", level: 1 },
        { kind: "paragraph", text: "Definition\nAddition & scaling" },
      ],
    },
    {
      pageNumber: 2,
      blocks: [{ kind: "heading", text: "Week 2: Matrices", level: 1 }, {
        kind: "paragraph",
        text: "Multiplication",
      }],
    },
    { pageNumber: 3, blocks: [{ kind: "heading", text: "Summary", level: 1 }] },
  ]);
});

Deno.test("extractDocument() rejects a PPTX declared as DOCX before reading it", async () => {
  const bytes = await buildPptx([{ title: "t", lines: [] }]);
  await assert.rejects(() => extractDocument(bytes, "docx"), (err: unknown) => {
    assert.ok(err instanceof DocumentError);
    assert.equal(err.reason, "type_mismatch");
    return true;
  });
});

for (const source of ARABIC_CORPUS.filter((d) => d.docx)) {
  const file = source.file.replace(/\.pdf$/, ".docx");
  Deno.test(`extractDocument() reads LibreOffice's right-to-left ${file} (w:bidi, w:rtl) in reading order`, async () => {
    const doc = await extractDocument(await readPdfFixture(`generated/${file}`), "docx");
    const text = doc.pages.map(pageText);
    assert.deepEqual(readingOrderScore(referenceUnits(source), text).missing, []);
    assert.ok(!text.join("\n").includes("\u0640"), "typed kashida is removed");
  });
}

Deno.test("extractDocument() reads right-to-left PPTX paragraphs (a:rtl) with Latin and numbers in reading order", async () => {
  const bytes = await buildPptx([{
    title: "قانون رقم 8 لسنة 2022",
    lines: ["يدرس الطلاب مقرر Machine Learning باستخدام Python 3.12 ومكتبة NumPy.", "بنسبة 50.1% تقريبًا."],
    rtl: true,
  }]);
  const doc = await extractDocument(bytes, "pptx");
  assert.deepEqual(doc.pages[0].blocks, [
    { kind: "heading", text: "قانون رقم 8 لسنة 2022", level: 1 },
    {
      kind: "paragraph",
      text: "يدرس الطلاب مقرر Machine Learning باستخدام Python 3.12 ومكتبة NumPy.\nبنسبة 50.1% تقريبًا.",
    },
  ]);
});
