import { pageAtOffset } from "../documents/types.ts";
import { arabicShare } from "../text/fold.ts";
import { citationMarkers, splitSentences } from "../text/sentences.ts";
import { contentTerms } from "../text/terms.ts";
import type { Citation, RetrievedChunk, TutorLanguage } from "./types.ts";

/**
 * The citations an answer's text uses, in order of their numbers. Each quotes the passage of its chunk that the
 * answer draws on (the chunk's sentences whose words the answer's text before the marker holds) and names that
 * passage's page, which for a chunk spanning pages may be a later one than the chunk's first. When no sentence
 * matches well, the chunk's opening and first page stand in.
 */
export function toCitations(answer: string, chunks: RetrievedChunk[]): Citation[] {
  const used = [...new Set(citationMarkers(answer))].filter((n) => n >= 1 && n <= chunks.length).sort((
    a,
    b,
  ) => a - b);
  return used.map((index) => {
    const chunk = chunks[index - 1];
    const passage = quotedPassage(chunk.text, claimsCiting(answer, index));
    return {
      index,
      chunkId: chunk.chunkId,
      documentId: chunk.documentId,
      documentTitle: chunk.documentTitle,
      page: chunk.page === null || !passage
        ? chunk.page
        : pageAtOffset(chunk.page, chunk.pageBreaks ?? [], passage.at),
      snippet: snippet(passage?.text ?? chunk.text),
    };
  });
}

/** The answer's text that each marker `[index]` closes: from the previous marker or paragraph start up to it. */
function claimsCiting(answer: string, index: number): string[] {
  const claims: string[] = [];
  for (const paragraph of answer.split(/\n\s*\n/)) {
    let from = 0;
    for (const m of paragraph.matchAll(/\[(\d+)\]/g)) {
      if (Number(m[1]) === index) claims.push(paragraph.slice(from, m.index));
      from = m.index + m[0].length;
    }
  }
  return claims;
}

/**
 * The run of the chunk's sentences the claims quote or paraphrase, with its offset in the chunk: it starts at the
 * sentence most covered by a claim's terms (at least half of its own terms, and two) and takes the sentences right
 * after it that are covered as well.
 */
function quotedPassage(text: string, claims: string[]): { at: number; text: string } | null {
  const sentences: { at: number; text: string; terms: string[] }[] = [];
  let cursor = 0;
  for (const sentence of splitSentences(text)) {
    const at = text.indexOf(sentence, cursor);
    if (at < 0) continue;
    cursor = at + sentence.length;
    sentences.push({ at, text: sentence, terms: contentTerms(sentence) });
  }
  const coverage = (terms: string[], claim: Set<string>) => {
    const distinct = new Set(terms);
    if (distinct.size < 2) return 0;
    let shared = 0;
    for (const t of distinct) if (claim.has(t)) shared++;
    return shared >= 2 ? shared / distinct.size : 0;
  };
  let best: { first: number; last: number; score: number } | null = null;
  for (const claim of claims.map((c) => new Set(contentTerms(c)))) {
    for (let i = 0; i < sentences.length; i++) {
      const score = coverage(sentences[i].terms, claim);
      if (score < 0.5 || (best && score <= best.score)) continue;
      let last = i;
      while (last + 1 < sentences.length && coverage(sentences[last + 1].terms, claim) >= 0.5) last++;
      best = { first: i, last, score };
    }
  }
  if (!best) return null;
  const start = sentences[best.first].at;
  const end = sentences[best.last].at + sentences[best.last].text.length;
  return { at: start, text: text.slice(start, end) };
}

function snippet(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/**
 * The language an answer is written in, judged on its own words (quotes in «» or “” excluded, since the offline tutor
 * quotes material that may be in another language than the student's).
 */
export function detectAnswerLanguage(answer: string, fallback: TutorLanguage): TutorLanguage {
  const own = answer.replace(/«[^»]*»|“[^”]*”|"[^"]*"/g, " ").replace(/\[\d+\]/g, " ");
  const { arabic, latin } = arabicShare(own);
  if (arabic + latin < 3) return fallback;
  return arabic >= latin ? "ar" : "en";
}

/**
 * Renumbers citation markers in order of first use, so an answer's first citation is [1] whatever the retrieval
 * rank of its chunk. Apply it to each released piece of the model's text once (markers are never split across the
 * gate's sentence pieces); `chunks()` then gives the chunks in the new numbering, for `toCitations`.
 */
export class CitationNumbering {
  readonly #order: number[] = [];
  readonly #count: number;

  /** Numbering over `count` retrieved chunks (markers outside 1..count are left as they are). */
  constructor(count: number) {
    this.#count = count;
  }

  /** The piece with its markers renumbered. */
  apply(piece: string): string {
    return piece.replace(/\[(\d+)\]/g, (marker, digits: string) => {
      const n = Number(digits);
      if (n < 1 || n > this.#count) return marker;
      let index = this.#order.indexOf(n);
      if (index < 0) index = this.#order.push(n) - 1;
      return `[${index + 1}]`;
    });
  }

  /** The retrieved chunks in the answer's numbering: the first is the one cited [1]. */
  chunks<T>(retrieved: T[]): T[] {
    return this.#order.map((n) => retrieved[n - 1]);
  }
}
