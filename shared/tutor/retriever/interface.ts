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
  /**
   * The language the scope's material is written in when it is all in a language other than `language` and this
   * retriever cannot cross languages (keywords only, or an English-only embedder), else null. Asked only after a
   * "not found", so the refusal can say why: the material may well answer, in words the question does not share.
   */
  languageGap?(scope: TutorScope, language: TutorLanguage): Promise<TutorLanguage | null>;
}

/** How many of the scope's chunks are sampled to tell the material's language. */
export const LANGUAGE_SAMPLE = 200;

/** The material's language when every sampled chunk is in the other language than the question's, else null. */
export function gapOf(sampleLanguages: TutorLanguage[], language: TutorLanguage): TutorLanguage | null {
  if (sampleLanguages.length === 0) return null;
  return sampleLanguages.every((l) => l !== language) ? sampleLanguages[0] : null;
}
