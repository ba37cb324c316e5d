import type { RetrievalDeps } from "../../rag/search.ts";
import { hybridSearch } from "../../rag/search.ts";
import type { RetrievalRequest, RetrievalResult, Retriever } from "./interface.ts";

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
}
