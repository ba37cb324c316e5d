/**
 * A deterministic test embedder: each normalised term adds to one hashed dimension, so texts sharing words have
 * high cosine similarity. Tests use it where the real model would only add seconds, never to claim quality.
 */
import { searchTerms } from "../../text/normalize.ts";
import type { Embedder } from "../embedder/interface.ts";

function hash(term: string): number {
  let h = 2166136261;
  for (let i = 0; i < term.length; i++) h = Math.imul(h ^ term.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A unit vector of `dims` dimensions from the text's terms (a constant vector for a text with none). */
export function hashedBagOfWords(text: string, dims: number): number[] {
  const v = new Array(dims).fill(0);
  const terms = searchTerms(text);
  if (terms.length === 0) v[0] = 1;
  for (const t of terms) v[hash(t) % dims] += 1;
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / norm);
}

/** An embedder over `hashedBagOfWords`, counting its calls. */
export function createHashEmbedder(
  options: { dimensions?: number; batchSize?: number; englishOnly?: boolean } = {},
): Embedder & { calls: number } {
  const dims = options.dimensions ?? 64;
  const embedder = {
    model: "test-hash",
    dimensions: dims,
    batchSize: options.batchSize ?? 4,
    englishOnly: options.englishOnly ?? false,
    calls: 0,
    embed(texts: string[]) {
      embedder.calls++;
      return Promise.resolve(texts.map((t) => hashedBagOfWords(t, dims)));
    },
  };
  return embedder;
}
