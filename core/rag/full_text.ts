/**
 * Keyword retrieval in Postgres: the GIN index on `document_chunks.search_vector` finds chunks that share a term
 * with the query, and BM25 ranks them (computed in SQL from the tsvector's positions and the scope's statistics).
 * Works the same on PGlite and Postgres because terms are normalised in the application and indexed with the
 * `simple` configuration.
 */
import { type Db, queryRows, sql } from "../../shared/db/client.ts";
import { checkScope, type VectorScope } from "../../shared/rag/vector/interface.ts";

/** Whom a search may see: ANDed fields, at least one required; an empty `courseIds` matches nothing. */
export type SearchScope = VectorScope;

/** A keyword hit: chunk id and BM25 score. */
export interface TextHit {
  id: string;
  score: number;
}

const K1 = 1.2;
const B = 0.75;
const STATS_TTL_MS = 60_000;
/** ζ(2) = π²/6, the limit of Σ 1/j² that ts_rank uses to weigh repeated positions. */
const ZETA2 = Math.PI ** 2 / 6;

type Stats = { n: number; avgdl: number; at: number };
const statsCache = new Map<string, Stats>();

/** SQL for the live chunks of a scope: chunk `c` joined to its live, not deleted document `d`. */
export function liveChunksIn(scope: SearchScope) {
  const parts = [sql`d.deleted_at is null`, sql`d.status = 'ready'`, sql`c.generation = d.chunk_generation`];
  if (scope.courseIds !== undefined) {
    parts.push(sql`c.course_id in (${sql.join(scope.courseIds.map((id) => sql`${id}::uuid`), sql`, `)})`);
  }
  if (scope.semesterId) parts.push(sql`c.semester_id = ${scope.semesterId}::uuid`);
  if (scope.facultyId) parts.push(sql`c.faculty_id = ${scope.facultyId}::uuid`);
  return sql`document_chunks c join documents d on d.id = c.document_id where ${sql.join(parts, sql` and `)}`;
}

/**
 * Chunk count and mean length of a scope, for BM25's IDF and length normalisation. Cached for a minute per
 * scope: they move slowly, and counting a large course on every query would dominate latency.
 */
async function scopeStats(db: Db, scope: SearchScope): Promise<Stats> {
  const key = JSON.stringify([scope.courseIds?.toSorted(), scope.semesterId, scope.facultyId]);
  const cached = statsCache.get(key);
  if (cached && Date.now() - cached.at < STATS_TTL_MS) return cached;
  const [row] = await queryRows<{ n: number; avgdl: number }>(
    db,
    sql`select count(*)::float8 as n, coalesce(avg(c.term_count), 1)::float8 as avgdl from ${
      liveChunksIn(scope)
    }`,
  );
  const stats = { n: Number(row.n), avgdl: Math.max(1, Number(row.avgdl)), at: Date.now() };
  if (statsCache.size > 10_000) statsCache.clear();
  // An empty scope is not cached: its first document must be searchable at once.
  if (stats.n > 0) statsCache.set(key, stats);
  return stats;
}

/** Forgets cached scope statistics (tests that reload a corpus call it). */
export function clearScopeStats(): void {
  statsCache.clear();
}

/**
 * The best `limit` chunks of a scope for the given normalised query terms, by BM25. Any term matches (OR): BM25's
 * IDF makes rare shared terms count and common ones nearly vanish.
 */
export async function fullTextSearch(
  db: Db,
  input: { scope: SearchScope; terms: string[]; limit: number },
): Promise<TextHit[]> {
  if (!checkScope(input.scope)) return [];
  const terms = [...new Set(input.terms)].filter((t) => /^[\p{L}\p{N}]+$/u.test(t));
  if (terms.length === 0) return [];
  const stats = await scopeStats(db, input.scope);
  const tsquery = terms.map((t) => `'${t}'`).join(" | ");
  // Term frequency without unnesting every candidate's tsvector (slow on large candidate sets): for a one-term
  // query, ts_rank with weight 0.1 is 0.1 · Σ_{j<tf} 1/(j+1)² / ζ(2), which inverts to tf = 1/(ζ(2) − g) − ½.
  const rows = await queryRows<{ id: string; score: number }>(
    db,
    sql`with cand as (
          select c.id, c.term_count, c.search_vector from ${liveChunksIn(input.scope)}
            and c.search_vector @@ to_tsquery('simple', ${tsquery})
        ),
        tf as (
          select cand.id, cand.term_count, t.term, round(
            1 / (${ZETA2}::float8 - ts_rank('{0.1,0.1,0.1,0.1}', cand.search_vector, t.term::tsquery)::float8
              * ${ZETA2 * 10}::float8) - 0.5
          ) as tf
          from cand cross join unnest(${`{${terms.join(",")}}`}::text[]) as t(term)
        ),
        hits as (select *, count(*) over (partition by term)::float8 as df from tf where tf > 0)
        select id, sum(
          ln(1 + (greatest(${stats.n}::float8, df) - df + 0.5) / (df + 0.5))
          * (tf * ${K1 + 1}::float8)
          / (tf + ${K1}::float8 * (${1 - B}::float8 + ${B}::float8 * term_count / ${stats.avgdl}::float8))
        ) as score
        from hits
        group by id
        order by score desc
        limit ${input.limit}`,
  );
  return rows.map((r) => ({ id: r.id, score: Number(r.score) }));
}
