import assert from "node:assert/strict";
import { DocumentError } from "../errors.ts";
import { extractDocument } from "./mod.ts";
import { splitText } from "./paginate.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

Deno.test("extractDocument() reads Markdown headings (ATX and setext) and keeps # inside code fences", async () => {
  const md =
    "# Course notes\n\nIntro paragraph\nwrapped.\n\nSection two\n-----------\n\n```sh\n# not a heading\n```\n\n## Details ##\nText.";
  const doc = await extractDocument(utf8(md), "md");
  assert.deepEqual(doc.pages.flatMap((p) => p.blocks), [
    { kind: "heading", text: "Course notes", level: 1 },
    { kind: "paragraph", text: "Intro paragraph\nwrapped." },
    { kind: "heading", text: "Section two", level: 2 },
    { kind: "paragraph", text: "```sh\n# not a heading\n```" },
    { kind: "heading", text: "Details", level: 2 },
    { kind: "paragraph", text: "Text." },
  ]);
});

Deno.test("extractDocument() splits a long plain text into logical pages at paragraph ends", async () => {
  const paragraph = "The quick brown fox jumps over the lazy dog. ".repeat(20).trim(); // ~900 chars
  const doc = await extractDocument(utf8(Array(10).fill(paragraph).join("\n\n")), "txt");
  assert.equal(doc.pagination, "logical");
  assert.equal(doc.pages.length, 4); // 3 paragraphs fit in 3000 characters
  assert.ok(doc.pages.every((p) => p.blocks.every((b) => b.text === paragraph)));
});

Deno.test("splitText() cuts an endless paragraph at sentence ends, never above the limit", () => {
  const text = "Eins zwei drei. ".repeat(500);
  const pieces = splitText(text, 1000);
  assert.ok(pieces.length > 1);
  assert.ok(pieces.every((p) => p.length <= 1000 && p.endsWith(".")));
  assert.equal(pieces.join(" "), text.trim());
});

Deno.test("extractDocument() rejects an empty or blank text file as having no text", async () => {
  await assert.rejects(() => extractDocument(utf8(""), "txt"), DocumentError);
  await assert.rejects(() => extractDocument(utf8("\n \n"), "md"), /contains no text/);
});
