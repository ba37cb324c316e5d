import assert from "node:assert/strict";
import { chunkDocument } from "./chunker.ts";
import { extractDocument } from "./extract/mod.ts";
import { PDF_FIXTURES, readPdfFixture } from "./testing/fixtures.ts";
import { estimateTokens } from "./tokens.ts";
import { type ExtractedPage, pageAtOffset } from "./types.ts";

const sentence = (i: number) => `Sentence number ${i} talks about linear equations and their solutions.`;

Deno.test("estimateTokens() approximates subword tokens for English, German and Arabic", () => {
  assert.equal(estimateTokens(""), 0);
  assert.equal(estimateTokens("The cat sat."), 4); // three short words and a full stop
  assert.equal(estimateTokens("Überlagerungen"), 4); // 14 letters at ~4 per token
  assert.equal(estimateTokens("المعادلات"), 3); // 9 letters at ~3 per token
  assert.equal(estimateTokens("数学"), 2);
});

Deno.test("chunkDocument() cuts at headings first, so no chunk mixes two sections", () => {
  const pages: ExtractedPage[] = [{
    pageNumber: 1,
    blocks: [
      { kind: "heading", text: "Substitution", level: 1 },
      { kind: "paragraph", text: Array.from({ length: 8 }, (_, i) => sentence(i)).join(" ") },
      { kind: "heading", text: "Elimination", level: 1 },
      { kind: "paragraph", text: Array.from({ length: 8 }, (_, i) => sentence(i + 100)).join(" ") },
    ],
  }];
  const chunks = chunkDocument(pages, { targetTokens: 300, overlapTokens: 50, minTokens: 20 });
  assert.equal(chunks.length, 2);
  assert.equal(chunks[0].heading, "Substitution");
  assert.ok(chunks[0].text.startsWith("Substitution\nSentence number 0"));
  assert.ok(!chunks[0].text.includes("Elimination"));
  assert.equal(chunks[1].heading, "Elimination");
  assert.ok(chunks[1].text.startsWith("Elimination\n"));
  assert.deepEqual(chunks.map((c) => c.ordinal), [0, 1]);
});

Deno.test("chunkDocument() splits long sections by size at sentence ends with overlap, tracking page ranges", () => {
  const pages: ExtractedPage[] = [1, 2, 3].map((n) => ({
    pageNumber: n,
    blocks: [{
      kind: "paragraph",
      text: Array.from({ length: 20 }, (_, i) => sentence(n * 100 + i)).join(" "),
    }],
  }));
  const chunks = chunkDocument(pages, { targetTokens: 120, overlapTokens: 30, minTokens: 10 });
  assert.ok(chunks.length >= 5);
  for (const c of chunks) {
    assert.ok(c.tokens <= 120, `chunk ${c.ordinal} has ${c.tokens} tokens`);
    assert.ok(c.pageStart <= c.pageEnd);
    assert.match(c.text, /\.$/); // ends at a sentence end
  }
  // Consecutive chunks share their boundary sentences.
  for (let i = 1; i < chunks.length; i++) {
    const lastSentence = chunks[i - 1].text.split(/(?<=\.)\s+/).at(-1)!;
    assert.ok(chunks[i].text.includes(lastSentence), `chunk ${i} does not repeat "${lastSentence}"`);
  }
  assert.equal(chunks[0].pageStart, 1);
  assert.equal(chunks.at(-1)!.pageEnd, 3);
  assert.ok(chunks.some((c) => c.pageStart === 1 && c.pageEnd === 2), "a chunk spans the page break");
});

Deno.test("chunkDocument() never ends a chunk after an abbreviation or initial, only at a sentence end", () => {
  const abbreviated = (i: number) =>
    `Item ${i} is solved by substitution, i.e. by Dr. Smith's method from J. Doe.`;
  const pages: ExtractedPage[] = [{
    pageNumber: 1,
    blocks: [{ kind: "paragraph", text: Array.from({ length: 30 }, (_, i) => abbreviated(i)).join(" ") }],
  }];
  const chunks = chunkDocument(pages, { targetTokens: 60, overlapTokens: 15, minTokens: 10 });
  assert.ok(chunks.length >= 5);
  for (const c of chunks) {
    assert.match(c.text, /^Item \d+ .* from J\. Doe\.$/s, `chunk ${c.ordinal} is cut inside a sentence`);
  }
});

Deno.test("chunkDocument() merges a section too small to stand alone into the next one", () => {
  const pages: ExtractedPage[] = [{
    pageNumber: 4,
    blocks: [
      { kind: "heading", text: "Notation", level: 2 },
      { kind: "paragraph", text: "We write x for the unknown." },
      { kind: "heading", text: "Method", level: 2 },
      { kind: "paragraph", text: Array.from({ length: 6 }, (_, i) => sentence(i)).join(" ") },
    ],
  }];
  const chunks = chunkDocument(pages, { targetTokens: 300, overlapTokens: 50, minTokens: 60 });
  assert.equal(chunks.length, 1);
  assert.equal(chunks[0].heading, "Notation");
  assert.match(chunks[0].text, /^Notation\nWe write x for the unknown\.\nMethod\nSentence number 0/);
});

Deno.test("chunkDocument() cuts a sentence longer than the target at word boundaries", () => {
  const words = Array.from({ length: 400 }, (_, i) => `word${i}`).join(" ");
  const chunks = chunkDocument([{ pageNumber: 1, blocks: [{ kind: "paragraph", text: words }] }], {
    targetTokens: 100,
    overlapTokens: 20,
    minTokens: 10,
  });
  assert.ok(chunks.length > 5);
  assert.ok(chunks.every((c) => c.tokens <= 100));
  assert.ok(chunks.at(-1)!.text.endsWith("word399"));
});

Deno.test("chunkDocument() is deterministic on the real German lecture notes and keeps every heading's page", async () => {
  const doc = await extractDocument(await readPdfFixture(PDF_FIXTURES.german), "pdf");
  const first = chunkDocument(doc.pages);
  const second = chunkDocument(structuredClone(doc.pages));
  assert.deepEqual(first, second);
  assert.ok(first.length > 150);
  assert.ok(first.every((c) => c.tokens <= 300 && c.text.length > 0));
  const section = first.find((c) => c.heading === "3.3 Überlagerungen");
  assert.ok(section, "a chunk starts under 3.3 Überlagerungen");
  assert.equal(section.pageStart, 55);
});

Deno.test("chunkDocument() cuts a run of text without spaces (CJK, long formulas) so no chunk passes the target", () => {
  const chunks = chunkDocument(
    [{ pageNumber: 1, blocks: [{ kind: "paragraph", text: "数学".repeat(300) }] }],
    {
      targetTokens: 100,
      overlapTokens: 20,
      minTokens: 10,
    },
  );
  assert.ok(chunks.length >= 6);
  assert.ok(chunks.every((c) => c.tokens <= 100), chunks.map((c) => c.tokens).join(","));
});

Deno.test("chunkDocument() rejects an overlap as large as the target", () => {
  assert.throws(() => chunkDocument([], { targetTokens: 50, overlapTokens: 50 }), RangeError);
});

Deno.test("chunkDocument() records where each later page begins in a chunk that spans pages", () => {
  const pages: ExtractedPage[] = [
    { pageNumber: 1, blocks: [{ kind: "paragraph", text: "Gravity pulls masses together. It is weak." }] },
    { pageNumber: 2, blocks: [] },
    {
      pageNumber: 3,
      blocks: [{ kind: "paragraph", text: "Orbits are falling around. Moons orbit planets." }],
    },
  ];
  const [chunk, ...rest] = chunkDocument(pages);
  assert.equal(rest.length, 0);
  assert.equal(chunk.pageStart, 1);
  assert.equal(chunk.pageEnd, 3);
  assert.deepEqual(chunk.pageBreaks, [{ at: chunk.text.indexOf("Orbits"), page: 3 }]);
  assert.ok(chunk.pageBreaks[0].at > 0);
  assert.equal(pageAtOffset(1, chunk.pageBreaks, chunk.text.indexOf("weak")), 1);
  assert.equal(pageAtOffset(1, chunk.pageBreaks, chunk.text.indexOf("Moons")), 3);
});
