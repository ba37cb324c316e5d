/**
 * How the keyword and vector rankings become one: score-aware fusion (each side's scores scaled to its best
 * candidate, then a weighted sum) or weighted reciprocal rank fusion, then a rerank of the head by phrase
 * evidence (query terms that stand next to each other in the chunk). Pure functions over hit lists, so the
 * retrieval evaluation replays exactly what `hybridSearch` does from each side's candidates.
 */

/** A candidate from one side: chunk id and that side's score (BM25, or cosine similarity). */
export interface ScoredId {
  id: string;
  score: number;
}

/** Fusion settings (see `DEFAULT_FUSION` in search.ts for the chosen values and why). */
export interface FusionWeights {
  /** `scores`: weighted sum of each side's scores scaled to [0, 1]; `rrf`: weighted reciprocal rank fusion. */
  method: "scores" | "rrf";
  /** RRF constant (only for `rrf`): larger flattens the difference between ranks. */
  rrfK: number;
  textWeight: number;
  vectorWeight: number;
  /** Weight of phrase evidence added to the fused score of the first `proximityDepth` candidates (0: off). */
  proximityWeight: number;
  /** How many of the fused head are reranked with phrase evidence. */
  proximityDepth: number;
}

/**
 * Scales a side's scores to [0, 1]: BM25 by the best score (so a weak best match stays weak against the other
 * side), cosine similarity between the list's lowest and highest (the offline model's similarities crowd into a
 * narrow band, which carries the ranking but not an absolute meaning).
 */
function scaled(hits: ScoredId[], kind: "text" | "vector"): Map<string, number> {
  const out = new Map<string, number>();
  if (hits.length === 0) return out;
  const max = Math.max(...hits.map((h) => h.score));
  const min = kind === "vector" ? Math.min(...hits.map((h) => h.score)) : 0;
  const span = max - min;
  for (const h of hits) out.set(h.id, span > 0 ? (h.score - min) / span : 1);
  return out;
}

/** The fused ranking of both sides' candidates, best first. */
export function fuseRankings(
  textHits: ScoredId[],
  vectorHits: ScoredId[],
  weights: FusionWeights,
): [string, number][] {
  const fused = new Map<string, number>();
  const add = (id: string, value: number) => fused.set(id, (fused.get(id) ?? 0) + value);
  if (weights.method === "rrf") {
    textHits.forEach((h, rank) => add(h.id, weights.textWeight / (weights.rrfK + rank + 1)));
    vectorHits.forEach((h, rank) => add(h.id, weights.vectorWeight / (weights.rrfK + rank + 1)));
  } else {
    for (const [id, s] of scaled(textHits, "text")) add(id, weights.textWeight * s);
    if (weights.vectorWeight > 0) {
      for (const [id, s] of scaled(vectorHits, "vector")) add(id, weights.vectorWeight * s);
    }
  }
  return [...fused.entries()].sort((a, b) => b[1] - a[1]);
}

/**
 * Phrase evidence of a chunk for a query, in [0, 1]: the share of the query's neighbouring term pairs that also
 * stand within two positions of each other in the chunk (either order: "the capital of France" and "France's
 * capital"). Terms are the normalised search terms, in order, as stored in `search_text`.
 */
export function phraseEvidence(queryTerms: string[], chunkTerms: string[]): number {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < queryTerms.length; i++) {
    if (queryTerms[i] !== queryTerms[i + 1]) pairs.push([queryTerms[i], queryTerms[i + 1]]);
  }
  if (pairs.length === 0) return 0;
  const wanted = new Set(pairs.flat());
  const positions = new Map<string, number[]>();
  chunkTerms.forEach((t, i) => {
    if (wanted.has(t)) positions.set(t, [...(positions.get(t) ?? []), i]);
  });
  let found = 0;
  for (const [a, b] of pairs) {
    const pa = positions.get(a);
    const pb = positions.get(b);
    if (pa && pb && pa.some((i) => pb.some((j) => j !== i && Math.abs(j - i) <= 2))) found++;
  }
  return found / pairs.length;
}

/**
 * Reranks the head of a fused ranking by phrase evidence; the tail keeps its order. `termsOf` gives a chunk's
 * normalised terms (undefined when unknown: that chunk gets no bonus).
 */
export function rerankByPhrases(
  ranked: [string, number][],
  queryTerms: string[],
  termsOf: (id: string) => string[] | undefined,
  weights: Pick<FusionWeights, "proximityWeight" | "proximityDepth">,
): [string, number][] {
  if (weights.proximityWeight <= 0 || queryTerms.length < 2 || ranked.length < 2) return ranked;
  const depth = Math.min(weights.proximityDepth, ranked.length);
  // The bonus is relative to the best fused score, so it means the same under either fusion method.
  const scale = ranked[0][1];
  const head = ranked.slice(0, depth).map(([id, score]): [string, number] => {
    const terms = termsOf(id);
    const bonus = terms ? phraseEvidence(queryTerms, terms) : 0;
    return [id, score + weights.proximityWeight * scale * bonus];
  });
  head.sort((a, b) => b[1] - a[1]);
  return [...head, ...ranked.slice(depth)];
}
