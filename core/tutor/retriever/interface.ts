import type { RetrievedChunk, TutorLanguage, TutorScope } from "../types.ts";

/** A retrieval request; `scope` is the session's course and is passed through unchanged. */
export interface RetrievalRequest {
  scope: TutorScope;
  query: string;
  k: number;
  language: TutorLanguage;
  signal?: AbortSignal;
}

/** Retrieved chunks, best first; `degraded` names a part that was down (e.g. the vector store). */
export interface RetrievalResult {
  chunks: RetrievedChunk[];
  degraded?: string;
}

/**
 * Course-material search as the tutor consumes it. The real implementation is the hybrid search (vector + full text,
 * scope-filtered); `memory.ts` is an in-process lexical one for tests and the offline demo.
 */
export interface Retriever {
  retrieve(request: RetrievalRequest): Promise<RetrievalResult>;
}
