import assert from "node:assert/strict";
import { DocumentError, processDocument } from "./mod.ts";
import { PDF_FIXTURES, readPdfFixture } from "./testing/fixtures.ts";

Deno.test("processDocument() extracts and chunks the English module with the given chunk size", async () => {
  const bytes = await readPdfFixture(PDF_FIXTURES.english);
  const small = await processDocument(bytes, "pdf", { targetTokens: 150, overlapTokens: 30 });
  const large = await processDocument(bytes, "pdf", { targetTokens: 600, overlapTokens: 50 });
  assert.equal(small.pageCount, 23);
  assert.ok(small.chunks.length > large.chunks.length);
  assert.ok(small.chunks.every((c) => c.tokens <= 150 && c.pageStart >= 1 && c.pageEnd <= 23));
  const elimination = small.chunks.find((c) =>
    c.heading === "4 SIMULTANEOUS EQUATIONS CONCEPTS -- ELIMINATION"
  );
  assert.equal(elimination?.pageStart, 11);
});

Deno.test("processDocument() fails the encrypted PDF with a DocumentError the worker can show", async () => {
  const bytes = await readPdfFixture(PDF_FIXTURES.encrypted);
  await assert.rejects(() => processDocument(bytes, "pdf"), DocumentError);
});
