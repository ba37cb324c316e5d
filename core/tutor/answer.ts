import { arabicShare, citationMarkers } from "./text.ts";
import type { Citation, RetrievedChunk, TutorLanguage } from "./types.ts";

/** The citations an answer's text uses, in order of their numbers, each with a short snippet of its chunk. */
export function toCitations(answer: string, chunks: RetrievedChunk[]): Citation[] {
  const used = [...new Set(citationMarkers(answer))].filter((n) => n >= 1 && n <= chunks.length).sort((
    a,
    b,
  ) => a - b);
  return used.map((index) => {
    const chunk = chunks[index - 1];
    return {
      index,
      chunkId: chunk.chunkId,
      documentId: chunk.documentId,
      documentTitle: chunk.documentTitle,
      page: chunk.page,
      snippet: snippet(chunk.text),
    };
  });
}

function snippet(text: string, max = 200): string {
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
