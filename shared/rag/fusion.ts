/**
 * How the keyword and vector rankings become one: score-aware fusion (each side's scores scaled to its best
 * candidate, then a weighted sum) or weighted reciprocal rank fusion, then a rerank of the head by the evidence of
 * where the query's terms stand in the chunk: phrases (query terms next to each other), a window holding most of
 * them (the sentence a question was asked about), and for Arabic the shared letter trigrams of the words (a verb
 * and its noun, which light stemming leaves apart). Pure functions over hit lists, so the retrieval evaluation replays
 * exactly what `hybridSearch` does from each side's candidates.
 */
import { ARABIC_CHAR } from "../text/fold.ts";

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
  /** Weight of window evidence (`windowEvidence`) in the same rerank (absent or 0: off). */
  windowWeight?: number;
  /** Width of that window, in terms. */
  windowSize?: number;
  /** Weight of Arabic trigram evidence (`trigramEvidence`) in the same rerank (absent or 0: off). */
  trigramWeight?: number;
}

/** The settings of the head rerank. */
export type RerankWeights = Pick<
  FusionWeights,
  "proximityWeight" | "proximityDepth" | "windowWeight" | "windowSize" | "trigramWeight"
>;

/** Whether the head rerank is on, so the search must read the chunks' terms. */
export function rerankIsOn(weights: RerankWeights): boolean {
  return weights.proximityWeight > 0 || (weights.windowWeight ?? 0) > 0 || (weights.trigramWeight ?? 0) > 0;
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
 * Window evidence of a chunk for a query, in [0, 1]: the largest share of the query's distinct terms that stand
 * together inside some `size` consecutive terms of the chunk. A question is mostly asked about one sentence of a
 * paragraph; a chunk that holds the question's words close together beats one that scatters them (or holds more
 * of one of them). 0 for a query of fewer than two distinct terms.
 */
export function windowEvidence(queryTerms: string[], chunkTerms: string[], size: number): number {
  const wanted = new Set(queryTerms);
  if (wanted.size < 2 || size < 1) return 0;
  const inWindow = new Map<string, number>();
  let distinct = 0;
  let best = 0;
  chunkTerms.forEach((term, i) => {
    if (wanted.has(term)) {
      const count = inWindow.get(term) ?? 0;
      if (count === 0) distinct++;
      inWindow.set(term, count + 1);
    }
    const leaving = i >= size ? chunkTerms[i - size] : undefined;
    if (leaving !== undefined && wanted.has(leaving)) {
      const count = inWindow.get(leaving)! - 1;
      inWindow.set(leaving, count);
      if (count === 0) distinct--;
    }
    best = Math.max(best, distinct);
  });
  return best / wanted.size;
}

/** The letter trigrams of the Arabic terms of a list (a term of three letters or fewer is its own trigram). */
function arabicTrigrams(terms: string[]): Set<string> {
  const out = new Set<string>();
  for (const term of terms) {
    if (!ARABIC_CHAR.test(term)) continue;
    if (term.length <= 3) out.add(term);
    else for (let i = 0; i + 3 <= term.length; i++) out.add(term.slice(i, i + 3));
  }
  return out;
}

/**
 * Arabic trigram evidence of a chunk for a query, in [0, 1]: the share of the letter trigrams of the query's Arabic
 * terms that some Arabic term of the chunk holds too. Light stemming leaves apart a verb and its noun ("يستخدم" /
 * "استخدام", "تأسست" / "تأسيس", "يدرس" / "درس"): their stems differ, but they share trigrams. (A broken plural
 * differs inside the word, "مطر" / "امطار": trigrams do not join those; see docs/retrieval.md.) 0 for a query
 * without Arabic terms.
 */
export function trigramEvidence(queryTerms: string[], chunkTerms: string[]): number {
  const wanted = arabicTrigrams(queryTerms);
  if (wanted.size === 0) return 0;
  const have = arabicTrigrams(chunkTerms);
  let found = 0;
  for (const gram of wanted) if (have.has(gram)) found++;
  return found / wanted.size;
}

/**
 * Reranks the head of a fused ranking by phrase, window and Arabic trigram evidence; the tail keeps its order.
 * `termsOf` gives a chunk's normalised terms (undefined when unknown: that chunk gets no bonus).
 */
export function rerankByPhrases(
  ranked: [string, number][],
  queryTerms: string[],
  termsOf: (id: string) => string[] | undefined,
  weights: RerankWeights,
): [string, number][] {
  if (!rerankIsOn(weights) || queryTerms.length === 0 || ranked.length < 2) return ranked;
  const depth = Math.min(weights.proximityDepth, ranked.length);
  // The bonus is relative to the best fused score, so it means the same under either fusion method.
  const scale = ranked[0][1];
  const windowWeight = weights.windowWeight ?? 0;
  const trigramWeight = weights.trigramWeight ?? 0;
  const head = ranked.slice(0, depth).map(([id, score]): [string, number] => {
    const terms = termsOf(id);
    if (!terms) return [id, score];
    let bonus = 0;
    if (weights.proximityWeight > 0) bonus += weights.proximityWeight * phraseEvidence(queryTerms, terms);
    if (windowWeight > 0) bonus += windowWeight * windowEvidence(queryTerms, terms, weights.windowSize ?? 12);
    if (trigramWeight > 0) bonus += trigramWeight * trigramEvidence(queryTerms, terms);
    return [id, score + scale * bonus];
  });
  head.sort((a, b) => b[1] - a[1]);
  return [...head, ...ranked.slice(depth)];
}
