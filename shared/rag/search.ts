/**
 * Hybrid retrieval: semantic hits from the vector store fused with BM25 keyword hits (score-aware fusion, then a
 * rerank of the head by phrase evidence; see fusion.ts), both inside the caller's scope. Chunks are then read
 * from Postgres with the live-document filter, so a deleted document or a stale generation never comes back even
 * if its vectors linger.
 */
import type client from "prom-client";
import { aiMetricsOf } from "../ai_metrics.ts";
import { queryRows, sql } from "../db/client.ts";
import type { Database } from "../db/client.ts";
import type { PageBreak } from "../documents/types.ts";
import type { Logger } from "../logger.ts";
import type { Embedder } from "./embedder/interface.ts";
import { checkScope, type VectorStore } from "./vector/interface.ts";
import { isMostlyArabic } from "../text/fold.ts";
import { keywordTerms } from "../text/normalize.ts";
import {
  CANDIDATE_BUDGET,
  type CandidateBudget,
  fullTextSearch,
  liveChunksIn,
  type SearchScope,
} from "./full_text.ts";
import { fuseRankings, type FusionWeights, rerankByPhrases, rerankIsOn } from "./fusion.ts";
import { makeSnippet } from "./snippet.ts";
import { withTimeout } from "../timeouts.ts";

export type { SearchScope };

/** What retrieval needs. */
export interface RetrievalDeps {
  database: Database;
  vectorStore: VectorStore;
  embedder: Embedder;
  logger?: Logger;
  /** Where `retrieval_duration_seconds` and `retrieval_vector_fallback_total` go (docs/metrics-contract.md). */
  metrics?: client.Registry;
}

/** A search inside a resolved scope. */
export interface SearchRequest {
  scope: SearchScope;
  query: string;
  /** How many chunks to return (default 8). */
  k?: number;
}

/** One retrieved chunk. */
export interface SearchHit {
  chunkId: string;
  documentId: string;
  documentTitle: string;
  courseId: string;
  page: number | null;
  pageEnd: number | null;
  /** Where each page after `page` begins in `text`. */
  pageBreaks: PageBreak[];
  heading: string | null;
  /** Fused score; only the order is meaningful. */
  score: number;
  snippet: string;
  /** The whole chunk, for answer generation. */
  text: string;
}

/** Search results; `degraded` says the vector side could not be used and keywords alone answered. */
export interface SearchResponse {
  results: SearchHit[];
  degraded?: "vector_unavailable";
}

/** Tuning of the fusion; the defaults were chosen on the XQuAD/ARCD evaluation (see docs/retrieval.md). */
export interface FusionOptions extends FusionWeights {
  /** Candidates fetched from each side before fusing. */
  candidates: number;
  /** The vector side gets this long before the search answers from keywords alone. */
  vectorTimeoutMs: number;
  /** Chunk rows the keyword side may read for candidates (see `CANDIDATE_BUDGET`). */
  candidateBudget: CandidateBudget;
}

/**
 * Default fusion settings, chosen on the A halves of the development sets (`eval:retrieval --sweep`, see
 * docs/retrieval.md): each side's scores scaled to [0, 1] (BM25 by its best, cosine between the list's lowest and
 * highest) and added with vectors at 0.2, then the first 20 reranked with phrase evidence at 0.2, window evidence
 * (most of the question's terms within 12 terms) at 0.4 and Arabic trigram evidence at 0.4. Against the earlier
 * weighted RRF (k = 5, vectors 0.3) it is better or equal on every B half, and it never ranks below keywords
 * alone, the stronger side with the offline embedder.
 */
export const DEFAULT_FUSION: FusionOptions = {
  method: "scores",
  rrfK: 5,
  textWeight: 1,
  vectorWeight: 0.2,
  proximityWeight: 0.2,
  proximityDepth: 20,
  windowWeight: 0.4,
  windowSize: 12,
  trigramWeight: 0.4,
  candidates: 50,
  vectorTimeoutMs: 3000,
  candidateBudget: CANDIDATE_BUDGET,
};

type ChunkRow = {
  id: string;
  document_id: string;
  title: string;
  course_id: string;
  page_start: number | null;
  page_end: number | null;
  page_breaks: PageBreak[] | null;
  heading: string | null;
  text: string;
  /** Read only for the phrase rerank. */
  search_text: string | null;
};

/** Why the vector side failed, as the contract's `reason` label. */
function fallbackReason(err: unknown): "timeout" | "unavailable" | "error" {
  const message = err instanceof Error ? err.message : String(err);
  if (/took longer than|timed? ?out/i.test(message)) return "timeout";
  if (/ECONNREFUSED|connection|unavailable|fetch failed|503/i.test(message)) return "unavailable";
  return "error";
}

/** Ranked chunks for a query inside a scope; never fails because the vector side is down. Measured (contract). */
export async function hybridSearch(
  deps: RetrievalDeps,
  request: SearchRequest,
  options: Partial<FusionOptions> = {},
): Promise<SearchResponse> {
  const started = performance.now();
  const response = await searchUnmeasured(deps, request, options);
  if (deps.metrics) {
    aiMetricsOf(deps.metrics).retrievalDuration.observe(
      {
        store: deps.vectorStore.name,
        mode: response.degraded || (options.vectorWeight ?? DEFAULT_FUSION.vectorWeight) === 0
          ? "fulltext"
          : "hybrid",
      },
      (performance.now() - started) / 1000,
    );
  }
  return response;
}

async function searchUnmeasured(
  deps: RetrievalDeps,
  request: SearchRequest,
  options: Partial<FusionOptions> = {},
): Promise<SearchResponse> {
  const fusion = { ...DEFAULT_FUSION, ...options };
  const k = Math.max(1, Math.min(request.k ?? 8, 100));
  if (!checkScope(request.scope)) return { results: [] };
  const terms = keywordTerms(request.query);
  const candidates = Math.max(fusion.candidates, k);

  // An English-only model knows no Arabic: an Arabic query is answered by keywords, by design, not degraded.
  const useVectors = fusion.vectorWeight > 0 &&
    !(deps.embedder.englishOnly && isMostlyArabic(request.query));
  let degraded: SearchResponse["degraded"];
  const vectorSide = useVectors
    ? withTimeout(
      (async () => {
        const [vector] = await deps.embedder.embed([request.query]);
        return await deps.vectorStore.query(vector, { scope: request.scope, limit: candidates });
      })(),
      fusion.vectorTimeoutMs,
      `Vector search took longer than ${fusion.vectorTimeoutMs} ms`,
    ).catch((err) => {
      degraded = "vector_unavailable";
      deps.logger?.warn("vector search failed; answering from keywords", { error: String(err) });
      if (deps.metrics) {
        aiMetricsOf(deps.metrics).retrievalVectorFallback.inc({ reason: fallbackReason(err) });
      }
      return [];
    })
    : Promise.resolve([]);
  const [textHits, vectorHits] = await Promise.all([
    fullTextSearch(deps.database.read, {
      scope: request.scope,
      terms,
      limit: candidates,
      candidateBudget: fusion.candidateBudget,
    }),
    vectorSide,
  ]);

  const fused = fuseRankings(textHits, vectorHits, fusion);
  if (fused.length === 0) return { results: [], ...(degraded ? { degraded } : {}) };

  // Read more than k: some vector ids may belong to deleted documents or stale generations and drop out here;
  // the head that phrase evidence reranks comes with the same read.
  const ids = fused.slice(0, Math.max(k * 2 + 10, fusion.proximityDepth)).map(([id]) => id);
  const rows = await queryRows<ChunkRow>(
    deps.database.read,
    sql`select c.id, c.document_id, d.title, c.course_id, c.page_start, c.page_end, c.page_breaks, c.heading, c.text,
          ${rerankIsOn(fusion) ? sql`c.search_text` : sql`null`} as search_text
        from ${liveChunksIn(request.scope)}
          and c.id in (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})`,
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const ranked = rerankByPhrases(fused, terms, (id) => byId.get(id)?.search_text?.split(" "), fusion);
  const results: SearchHit[] = [];
  for (const [id, score] of ranked) {
    const row = byId.get(id);
    if (!row) continue;
    results.push({
      chunkId: row.id,
      documentId: row.document_id,
      documentTitle: row.title,
      courseId: row.course_id,
      page: row.page_start,
      pageEnd: row.page_end,
      pageBreaks: row.page_breaks ?? [],
      heading: row.heading,
      score,
      snippet: makeSnippet(row.text, terms),
      text: row.text,
    });
    if (results.length === k) break;
  }
  return { results, ...(degraded ? { degraded } : {}) };
}
