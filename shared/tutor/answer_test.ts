import assert from "node:assert/strict";
import { toCitations } from "./answer.ts";
import type { RetrievedChunk } from "./types.ts";

const firstPage =
  "Photosynthesis happens in the chloroplasts of plant cells. Light energy drives the process.";
const secondPage = "The Calvin cycle fixes carbon dioxide into sugars. It runs in the stroma.";

/** A chunk that starts on page 4 and runs onto page 5, where `secondPage` begins. */
const spanning: RetrievedChunk = {
  chunkId: "c1",
  documentId: "d1",
  documentTitle: "Biology",
  page: 4,
  pageBreaks: [{ at: firstPage.length + 1, page: 5 }],
  text: `${firstPage} ${secondPage}`,
  score: 1,
};

Deno.test("toCitations() names the page of the quoted sentence when the chunk spans two pages", () => {
  const answer = "From your course material:\n\n“The Calvin cycle fixes carbon dioxide into sugars.” [1]";
  const [citation] = toCitations(answer, [spanning]);
  assert.equal(citation.page, 5);
  assert.equal(citation.snippet, "The Calvin cycle fixes carbon dioxide into sugars.");
});

Deno.test("toCitations() keeps the first page when the quote is on it", () => {
  const answer = "“Photosynthesis happens in the chloroplasts of plant cells.” [1]";
  const [citation] = toCitations(answer, [spanning]);
  assert.equal(citation.page, 4);
  assert.match(citation.snippet, /^Photosynthesis happens/);
});

Deno.test("toCitations() quotes a run of consecutive sentences and cites each chunk by its own marker", () => {
  const other: RetrievedChunk = {
    ...spanning,
    chunkId: "c2",
    page: 9,
    pageBreaks: [],
    text: "Mitochondria make ATP.",
  };
  const answer = "“The Calvin cycle fixes carbon dioxide into sugars. It runs in the stroma.” [2]\n\n" +
    "“Mitochondria make ATP.” [1]";
  const citations = toCitations(answer, [other, spanning]);
  assert.deepEqual(citations.map((c) => [c.index, c.page]), [[1, 9], [2, 5]]);
  assert.equal(citations[1].snippet, secondPage);
});

Deno.test("toCitations() falls back to the chunk's opening and first page when no sentence matches", () => {
  const answer = "Think about what plants need to grow. [1]";
  const [citation] = toCitations(answer, [spanning]);
  assert.equal(citation.page, 4);
  assert.match(citation.snippet, /^Photosynthesis happens/);
});
