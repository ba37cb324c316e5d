import { arabicShare } from "../../text/fold.ts";
import { contentTerms } from "../../text/terms.ts";
import type { RetrievedChunk, TutorLanguage, TutorScope } from "../types.ts";
import {
  gapOf,
  LANGUAGE_SAMPLE,
  type RetrievalRequest,
  type RetrievalResult,
  type Retriever,
} from "./interface.ts";

/** A chunk held by the in-memory retriever, with the course it belongs to. */
export interface StoredChunk extends Omit<RetrievedChunk, "score" | "courseId"> {
  courseId: string;
}

interface IndexedChunk {
  chunk: StoredChunk;
  termCounts: Map<string, number>;
  length: number;
}

/**
 * BM25 over the tutor's normalised terms, held in memory and filtered by course before scoring: a stand-in for the
 * hybrid search in tests, with the same contract (scope-bound, best first).
 */
export class MemoryRetriever implements Retriever {
  #byCourse = new Map<string, IndexedChunk[]>();

  /** Builds an index over chunks of any number of courses. */
  constructor(chunks: StoredChunk[] = []) {
    for (const chunk of chunks) this.add(chunk);
  }

  /** Adds one chunk. */
  add(chunk: StoredChunk): void {
    const termCounts = new Map<string, number>();
    const terms = contentTerms(`${chunk.documentTitle} ${chunk.text}`);
    for (const term of terms) termCounts.set(term, (termCounts.get(term) ?? 0) + 1);
    const list = this.#byCourse.get(chunk.courseId) ?? [];
    list.push({ chunk, termCounts, length: terms.length });
    this.#byCourse.set(chunk.courseId, list);
  }

  /** Lexical only: never crosses languages, so material all in the other language is a gap. */
  languageGap(scope: TutorScope, language: TutorLanguage): Promise<TutorLanguage | null> {
    const sample = (this.#byCourse.get(scope.courseId) ?? []).slice(0, LANGUAGE_SAMPLE).map(({ chunk }) => {
      const share = arabicShare(chunk.text);
      return share.arabic > share.latin ? "ar" as const : "en" as const;
    });
    return Promise.resolve(gapOf(sample, language));
  }

  /** Best `k` chunks of the request's course; other courses are never looked at. */
  retrieve(request: RetrievalRequest): Promise<RetrievalResult> {
    const pool = this.#byCourse.get(request.scope.courseId) ?? [];
    const queryTerms = [...new Set(contentTerms(request.query))];
    if (pool.length === 0 || queryTerms.length === 0) return Promise.resolve({ chunks: [] });
    const averageLength = pool.reduce((sum, c) => sum + c.length, 0) / pool.length;
    const idf = new Map<string, number>();
    for (const term of queryTerms) {
      const df = pool.filter((c) => c.termCounts.has(term)).length;
      idf.set(term, Math.log(1 + (pool.length - df + 0.5) / (df + 0.5)));
    }
    const k1 = 1.2;
    const b = 0.75;
    const scored = pool.map((indexed) => {
      let score = 0;
      for (const term of queryTerms) {
        const tf = indexed.termCounts.get(term) ?? 0;
        if (tf === 0) continue;
        score += idf.get(term)! * (tf * (k1 + 1)) / (tf + k1 * (1 - b + b * indexed.length / averageLength));
      }
      return { indexed, score };
    }).filter((s) => s.score > 0).sort((x, y) => y.score - x.score).slice(0, request.k);
    return Promise.resolve({
      chunks: scored.map(({ indexed, score }) => ({ ...indexed.chunk, score })),
    });
  }
}
