import type { RetrievalDeps } from "../../rag/search.ts";
import { hybridSearch } from "../../rag/search.ts";
import { liveChunksIn } from "../../rag/full_text.ts";
import { queryRows, sql } from "../../db/client.ts";
import type { TutorLanguage, TutorScope } from "../types.ts";
import {
  gapOf,
  LANGUAGE_SAMPLE,
  type RetrievalRequest,
  type RetrievalResult,
  type Retriever,
} from "./interface.ts";

/**
 * The tutor's retriever over the hybrid search (vectors + BM25 in Postgres). The session's course is the whole scope:
 * the search is asked for that one course id and nothing wider, and each chunk carries its course back so the
 * pipeline's own check can drop anything else.
 */
export class HybridRetriever implements Retriever {
  constructor(private readonly deps: RetrievalDeps) {}

  /** Searches the session's course only. */
  async retrieve(request: RetrievalRequest): Promise<RetrievalResult> {
    const { results, degraded } = await hybridSearch(this.deps, {
      scope: { courseIds: [request.scope.courseId] },
      query: request.query,
      k: request.k,
    });
    return {
      chunks: results.map((hit) => ({
        chunkId: hit.chunkId,
        documentId: hit.documentId,
        documentTitle: hit.documentTitle,
        page: hit.page,
        pageBreaks: hit.pageBreaks,
        text: hit.text,
        score: hit.score,
        courseId: hit.courseId,
      })),
      ...(degraded ? { degraded } : {}),
    };
  }

  /**
   * With an English-only embedder an Arabic question reaches English material by keywords only, and the reverse:
   * reports the material's language when a sample of the course's chunks is all in the other one.
   */
  async languageGap(scope: TutorScope, language: TutorLanguage): Promise<TutorLanguage | null> {
    // A multilingual embedder matches across languages: a refusal then means the material is silent.
    if (!this.deps.embedder.englishOnly) return null;
    const rows = await queryRows<{ language: string | null }>(
      this.deps.database.read,
      sql`select c.language from ${liveChunksIn({ courseIds: [scope.courseId] })} limit ${LANGUAGE_SAMPLE}`,
    );
    // Chunks are marked "ar" or not at ingestion; the rest is taken as English (the other language the tutor speaks).
    return gapOf(rows.map((r) => r.language === "ar" ? "ar" : "en"), language);
  }
}
