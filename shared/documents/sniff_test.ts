import assert from "node:assert/strict";
import { DocumentError } from "./errors.ts";
import { assertDeclaredType, bytesSource, fileSource, sniffType } from "./sniff.ts";
import { buildDocx, buildPptx } from "./testing/office_fixtures.ts";
import { PDF_FIXTURES, readPdfFixture } from "./testing/fixtures.ts";
import JSZip from "jszip";

const sniff = (bytes: Uint8Array) => sniffType(bytesSource(bytes));
const text = (s: string) => new TextEncoder().encode(s);

Deno.test("sniffType() recognises a real PDF by its %PDF- header", async () => {
  assert.equal(await sniff(await readPdfFixture(PDF_FIXTURES.english)), "pdf");
});

Deno.test("sniffType() tells DOCX from PPTX by their word/ and ppt/ parts, and a plain ZIP from both", async () => {
  assert.equal(await sniff(await buildDocx([{ text: "x" }])), "docx");
  assert.equal(await sniff(await buildPptx([{ title: "t", lines: [] }])), "pptx");
  const zip = new JSZip();
  zip.file("notes.txt", "hello");
  assert.equal(await sniff(await zip.generateAsync({ type: "uint8array" })), "zip");
});

Deno.test("sniffType() accepts UTF-8 text (Arabic, BOM) and refuses NULs and invalid UTF-8", async () => {
  assert.equal(await sniff(text("# Title\n\nمرحبا بالعالم")), "text");
  assert.equal(await sniff(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69])), "text");
  assert.equal(await sniff(new Uint8Array([0x68, 0x00, 0x69])), "unknown");
  assert.equal(await sniff(new Uint8Array([0x68, 0xc3, 0x28])), "unknown");
  assert.equal(await sniff(new Uint8Array()), "empty");
});

Deno.test("sniffType() recognises an OLE file (encrypted Office document or old .doc)", async () => {
  assert.equal(await sniff(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])), "ole");
});

Deno.test("sniffType() reads a file on disk through fileSource the same way", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, await buildPptx([{ title: "t", lines: ["l"] }]));
    const file = await Deno.open(path);
    try {
      assert.equal(await sniffType(fileSource(file, (await file.stat()).size)), "pptx");
    } finally {
      file.close();
    }
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("assertDeclaredType() accepts text as txt or md and rejects a PDF declared as DOCX with a clear reason", () => {
  assertDeclaredType("md", "text");
  assertDeclaredType("txt", "text");
  assert.throws(() => assertDeclaredType("docx", "pdf"), (err: unknown) => {
    assert.ok(err instanceof DocumentError);
    assert.equal(err.reason, "type_mismatch");
    assert.equal(err.status, 415);
    assert.match(err.message, /declared as "docx" but its content is a PDF/);
    return true;
  });
  assert.throws(() => assertDeclaredType("pdf", "unknown"), /not a PDF, DOCX, PPTX or UTF-8 text file/);
  assert.throws(() => assertDeclaredType("docx", "ole"), /password-protected or in the old binary format/);
});
