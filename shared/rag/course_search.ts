/**
 * Course and semester search through the KV cache: answers from the cache when the same courses were asked the same
 * (normalised) question at the same corpus versions within 10 minutes, and otherwise runs hybrid retrieval. Any
 * document change bumps the course's corpus version, so stale answers are never read. Which courses a caller may
 * search is decided before (core/academics/searchable_courses.ts).
 */
import type { KvStore } from "../kv/interface.ts";
import { corpusVersions } from "./corpus_version.ts";
import { hybridSearch, type RetrievalDeps, type SearchHit } from "./search.ts";
import { sha256Hex } from "../crypto.ts";

/** How long a search answer is kept, in seconds. */
export const SEARCH_CACHE_TTL_SECONDS = 600;

/** What a caller gets back. */
export interface CourseSearchAnswer {
  results: Omit<SearchHit, "text">[];
  degraded?: "vector_unavailable";
  /** Whether the answer came from the search cache. */
  cached: boolean;
  /** The courses searched (a semester search covers only the caller's readable courses in it). */
  courseIds: string[];
}

/** The query as the cache sees it: case, spacing and Unicode form do not make a new entry. */
export function normaliseQuery(query: string): string {
  return query.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

/** Searches `courseIds` (already authorised), through the KV cache. */
export async function cachedCourseSearch(
  deps: RetrievalDeps & { kv: KvStore },
  input: { courseIds: string[]; semesterId?: string; query: string; k: number },
): Promise<CourseSearchAnswer> {
  const { courseIds } = input;
  if (courseIds.length === 0) return { results: [], cached: false, courseIds };
  const versions = await corpusVersions(deps.database.read, courseIds);
  const key = "search:v1:" + await sha256Hex(JSON.stringify({
    courses: courseIds.map((id) => [id, versions.get(id) ?? 0]),
    q: normaliseQuery(input.query),
    k: input.k,
  }));
  try {
    const hit = await deps.kv.get(key);
    if (hit) return { ...JSON.parse(hit), cached: true, courseIds };
  } catch (err) {
    // The cache is an optimisation: without it the search runs.
    deps.logger?.warn("search cache read failed", { error: String(err) });
  }
  const found = await hybridSearch(deps, {
    scope: { courseIds, ...(input.semesterId ? { semesterId: input.semesterId } : {}) },
    query: input.query,
    k: input.k,
  });
  const results = found.results.map(({ text: _text, ...hit }) => hit);
  const answer = { results, ...(found.degraded ? { degraded: found.degraded } : {}) };
  // A degraded answer is not kept: the next request should try the vector side again.
  if (!found.degraded) {
    try {
      await deps.kv.set(key, JSON.stringify(answer), { ttlMs: SEARCH_CACHE_TTL_SECONDS * 1000 });
    } catch (err) {
      deps.logger?.warn("search cache write failed", { error: String(err) });
    }
  }
  return { ...answer, cached: false, courseIds };
}
