import assert from "node:assert/strict";
import { fuseRankings, phraseEvidence, rerankByPhrases, trigramEvidence, windowEvidence } from "./fusion.ts";
import { keywordTerms } from "../text/normalize.ts";
import { DEFAULT_FUSION } from "./search.ts";

const base = {
  method: "scores" as const,
  rrfK: 5,
  textWeight: 1,
  vectorWeight: 0.2,
  proximityWeight: 0.3,
  proximityDepth: 20,
};

Deno.test("fuseRankings() with score fusion keeps a clear keyword winner ahead of a weak vector favourite", () => {
  const text = [{ id: "a", score: 12 }, { id: "b", score: 4 }];
  const vector = [{ id: "b", score: 0.61 }, { id: "a", score: 0.6 }, { id: "c", score: 0.2 }];
  const fused = fuseRankings(text, vector, base);
  assert.deepEqual(fused.map(([id]) => id), ["a", "b", "c"]);
});

Deno.test("fuseRankings() with reciprocal ranks follows the weights of each side", () => {
  const text = [{ id: "a", score: 1 }, { id: "b", score: 0.9 }];
  const vector = [{ id: "b", score: 0.9 }];
  const rrf = { ...base, method: "rrf" as const };
  assert.deepEqual(fuseRankings(text, vector, { ...rrf, vectorWeight: 0 }).map(([id]) => id), ["a", "b"]);
  assert.deepEqual(fuseRankings(text, vector, { ...rrf, vectorWeight: 1 }).map(([id]) => id), ["b", "a"]);
});

Deno.test("phraseEvidence() counts query neighbours that stand close in the chunk, in either order", () => {
  assert.equal(phraseEvidence(["capit", "franc"], ["pari", "franc", "capit"]), 1);
  assert.equal(phraseEvidence(["capit", "franc"], ["capit", "x", "y", "z", "franc"]), 0);
  assert.equal(phraseEvidence(["a", "b", "c"], ["a", "b", "q", "q", "q", "c"]), 0.5);
  assert.equal(phraseEvidence(["a"], ["a"]), 0);
});

Deno.test("rerankByPhrases() lifts the chunk holding the question's phrase within the head only", () => {
  const ranked: [string, number][] = [["x", 1], ["y", 0.95], ["z", 0.1]];
  const terms: Record<string, string[]> = { x: ["a", "q", "q", "b"], y: ["a", "b"], z: ["a", "b"] };
  const out = rerankByPhrases(ranked, ["a", "b"], (id) => terms[id], {
    proximityWeight: 0.3,
    proximityDepth: 2,
  });
  assert.deepEqual(out.map(([id]) => id), ["y", "x", "z"]);
  const off = rerankByPhrases(ranked, ["a", "b"], (id) => terms[id], {
    proximityWeight: 0,
    proximityDepth: 2,
  });
  assert.deepEqual(off, ranked);
});

Deno.test("windowEvidence() is the largest share of the query's terms inside a window of the chunk", () => {
  const filler = (n: number) => Array.from({ length: n }, (_, i) => `f${i}`);
  assert.equal(windowEvidence(["a", "b", "c"], ["a", ...filler(3), "b", ...filler(3), "c"], 12), 1);
  assert.equal(windowEvidence(["a", "b", "c"], ["a", ...filler(13), "b", ...filler(13), "c"], 12), 1 / 3);
  assert.equal(windowEvidence(["a", "b", "c", "d"], ["a", "b", ...filler(20), "c", "d", "a"], 12), 3 / 4);
  assert.equal(windowEvidence(["a", "a"], ["a"], 12), 0);
});

Deno.test("trigramEvidence() joins an Arabic verb and its noun, which light stemming leaves apart", () => {
  const query = keywordTerms("متى تأسست الجامعة؟");
  assert.ok(!keywordTerms("تأسيس الجامعة").includes(query[0]), "the stems differ");
  assert.equal(trigramEvidence(query, keywordTerms("تأسيس الجامعة")), 3 / 5);
  assert.equal(trigramEvidence(query, keywordTerms("الجامعة في المدينة")), 2 / 5);
  assert.equal(trigramEvidence(["capit"], ["capit"]), 0, "Latin terms have no trigram evidence");
});

Deno.test("rerankByPhrases() with the defaults lifts the chunk that holds the question's words in one window", () => {
  const filler = (n: number) => Array.from({ length: n }, (_, i) => `f${i}`);
  // No two query terms within two positions in either chunk: phrase evidence alone cannot tell them apart.
  const terms: Record<string, string[]> = {
    scattered: ["a", ...filler(13), "b", ...filler(13), "c"],
    together: ["a", ...filler(3), "b", ...filler(3), "c"],
  };
  const ranked: [string, number][] = [["scattered", 1], ["together", 0.95]];
  const out = rerankByPhrases(ranked, ["a", "b", "c"], (id) => terms[id], DEFAULT_FUSION);
  assert.deepEqual(out.map(([id]) => id), ["together", "scattered"]);
});

Deno.test("rerankByPhrases() with the defaults lifts the Arabic chunk with the question's verb as a noun", () => {
  const chunks: Record<string, string[]> = {
    city: keywordTerms("تقع الجامعة في المدينة"),
    founding: keywordTerms("كان تأسيس الجامعة"),
  };
  const ranked: [string, number][] = [["city", 1], ["founding", 0.95]];
  const out = rerankByPhrases(ranked, keywordTerms("متى تأسست الجامعة؟"), (id) => chunks[id], DEFAULT_FUSION);
  assert.deepEqual(out.map(([id]) => id), ["founding", "city"]);
});

/** Deterministic noise, so a failure can be replayed. */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** A keyword list whose first chunk leads the runner-up by `lead` of its BM25, and a vector list of pure noise. */
function keywordWinnerAndNoise(random: () => number, lead: number) {
  const ids = Array.from({ length: 50 }, (_, i) => `c${i}`);
  const top = 5 + 10 * random();
  const text = ids.slice(0, 30).map((id, i) => ({
    id,
    score: i === 0 ? top : top * (1 - lead) * (1 - i / 60),
  }));
  // Noise: any 50 chunks, in any order, the keyword winner among them or not, similarities in a narrow band.
  const vector = ids.toSorted(() => random() - 0.5).slice(0, 40 + Math.floor(10 * random()))
    .map((id) => ({ id, score: 0.3 + 0.1 * random() }))
    .toSorted((a, b) => b.score - a.score);
  return { text, vector };
}

Deno.test("the default fusion keeps keywords' first answer first when the vector side is noise", () => {
  const random = noise(21);
  let overturnedByRrf = 0;
  for (let trial = 0; trial < 500; trial++) {
    // A lead of a quarter of the winner's BM25 (the answer paragraph holds the question's rare word, the
    // runner-up does not): more than the vector weight, so no order of the vector side may overturn it.
    const { text, vector } = keywordWinnerAndNoise(random, 0.25);
    const fused = fuseRankings(text, vector, DEFAULT_FUSION);
    const ranked = rerankByPhrases(fused, [], () => undefined, DEFAULT_FUSION);
    assert.equal(ranked[0][0], "c0", `trial ${trial}`);
    const rrf = fuseRankings(text, vector, { ...DEFAULT_FUSION, method: "rrf", rrfK: 5, vectorWeight: 0.3 });
    if (rrf[0][0] !== "c0") overturnedByRrf++;
  }
  // Pure ranks do not know the lead: the earlier weighted RRF lets noise overturn it, which this rule prevents.
  assert.ok(overturnedByRrf > 10, `RRF overturned ${overturnedByRrf} of 500`);
});

Deno.test("score fusion lets the vector side decide only between keyword candidates that are nearly tied", () => {
  const text = [{ id: "a", score: 10 }, { id: "b", score: 9.5 }, { id: "c", score: 6 }];
  const vector = [{ id: "b", score: 0.5 }, { id: "c", score: 0.49 }, { id: "a", score: 0.3 }];
  // b is 5% behind a and the vectors' favourite: it goes first; c, 40% behind, stays behind a.
  assert.deepEqual(fuseRankings(text, vector, DEFAULT_FUSION).map(([id]) => id), ["b", "a", "c"]);
});
