import { bigrams, contentTerms, splitSentences } from "./text.ts";
import type { RetrievedChunk } from "./types.ts";

/** A passage prepared for overlap measures: its terms as a set, and its term bigrams. */
export interface PreparedText {
  terms: Set<string>;
  bigrams: Set<string>;
}

/** Prepares a text for `coverage`/`phraseOverlap`. */
export function prepare(text: string): PreparedText {
  const terms = contentTerms(text);
  return { terms: new Set(terms), bigrams: new Set(bigrams(terms)) };
}

/**
 * Share of `terms` found in `passage` (each distinct term counts once). A term that shares a long prefix with a passage
 * term ("defense"/"defensive", Arabic broken stems) counts half: the light stemmers miss such pairs.
 */
export function coverage(terms: string[], passage: PreparedText): number {
  const distinct = [...new Set(terms)];
  if (distinct.length === 0) return 0;
  let found = 0;
  for (const term of distinct) {
    if (passage.terms.has(term)) found += 1;
    else if (term.length >= 5 && hasPrefixMate(term, passage.terms)) found += 0.5;
  }
  return found / distinct.length;
}

function hasPrefixMate(term: string, pool: Set<string>): boolean {
  const prefix = term.slice(0, Math.max(4, Math.floor(term.length * 0.7)));
  for (const candidate of pool) if (candidate.startsWith(prefix)) return true;
  return false;
}

/** Share of a text's term bigrams found in the passage: rewards quoting a phrase over scattering its words. */
export function phraseOverlap(terms: string[], passage: PreparedText): number {
  const pairs = bigrams(terms);
  if (pairs.length === 0) return 0;
  return pairs.filter((p) => passage.bigrams.has(p)).length / pairs.length;
}

/** One sentence of a retrieved chunk, scored against the question. */
export interface SentenceCandidate {
  chunkIndex: number;
  sentenceIndex: number;
  sentence: string;
  /** Question-term coverage of the sentence with its neighbours (the answer often sits next to the topic). */
  support: number;
}

/**
 * Scores every sentence of the retrieved chunks by how much of the question it (with its neighbour sentences) covers,
 * best first. This, not the retriever's score, decides whether the material answers the question: hybrid-search
 * scores come from rank fusion and say nothing absolute.
 */
export function rankSentences(question: string, chunks: RetrievedChunk[]): SentenceCandidate[] {
  const questionTerms = contentTerms(question);
  if (questionTerms.length === 0) return [];
  const candidates: SentenceCandidate[] = [];
  chunks.forEach((chunk, chunkIndex) => {
    const sentences = splitSentences(chunk.text);
    const prepared = sentences.map(prepare);
    const titleTerms = prepare(chunk.documentTitle.replace(/_/g, " ")).terms;
    sentences.forEach((sentence, sentenceIndex) => {
      const window: PreparedText = { terms: new Set(titleTerms), bigrams: new Set() };
      for (let i = sentenceIndex - 1; i <= sentenceIndex + 1; i++) {
        const p = prepared[i];
        if (!p) continue;
        for (const t of p.terms) window.terms.add(t);
        for (const b of p.bigrams) window.bigrams.add(b);
      }
      // The sentence itself must hold part of the question, not only its neighbours.
      const own = coverage(questionTerms, prepared[sentenceIndex]);
      const support = own === 0 ? 0 : 0.7 * coverage(questionTerms, window) + 0.3 * own;
      candidates.push({ chunkIndex, sentenceIndex, sentence, support });
    });
  });
  return candidates.sort((a, b) => b.support - a.support);
}
