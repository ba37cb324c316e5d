import assert from "node:assert/strict";
import { fuseRankings, phraseEvidence, rerankByPhrases } from "./fusion.ts";

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
