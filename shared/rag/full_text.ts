/**
 * Keyword retrieval in Postgres: a GIN index of course-keyed terms finds the course's chunks that share a term with
 * the query, and BM25 ranks them (computed in SQL from the tsvector's positions and the scope's statistics, kept
 * per document in `document_terms`).
 * Works the same on PGlite and Postgres: terms are normalised in the application, and indexed verbatim or through the
 * `simple` configuration, which keeps each letters-and-digits term as it is.
 */
import { type Db, queryRows, sql } from "../db/client.ts";
import { courseTermKey, courseTermsExpression } from "../db/schema/rag.ts";
import { checkScope, type VectorScope } from "./vector/interface.ts";

/** Whom a search may see: ANDed fields, at least one required; an empty `courseIds` matches nothing. */
export type SearchScope = VectorScope;

/** A keyword hit: chunk id and BM25 score. */
export interface TextHit {
  id: string;
  score: number;
}

// BM25 parameters, chosen on the development sets' A halves (docs/retrieval.md): k1 0.9 rather than the textbook
// 1.2 (a repeated term counts a little less), b 0.75.
const K1 = 0.9;
const B = 0.75;
/** ζ(2) = π²/6, the limit of Σ 1/j² that ts_rank uses to weigh repeated positions. */
const ZETA2 = Math.PI ** 2 / 6;

/**
 * How many chunk rows the keyword side reads for candidates (beyond the rarest term's own): `rows`, or `share` of
 * the scope's chunks when that is more. Query terms join the candidate query rarest first while the sum of their
 * document frequencies fits; the commoner rest still add to every candidate's score but bring no chunks of their
 * own, like the "common terms" query of Lucene and Elasticsearch. When all terms fit, the result is exact BM25.
 * Chosen on the retrieval evaluation and the search benchmark (docs/retrieval.md): a budget of a fifth of the
 * chunks cost no recall on XQuAD or ARCD, a twenty-fourth cost up to 6 points.
 */
export interface CandidateBudget {
  rows: number;
  share: number;
}

/** The default candidate budget. */
export const CANDIDATE_BUDGET: CandidateBudget = { rows: 400, share: 0.2 };

/** SQL for the live chunks of a scope: chunk `c` joined to its live, not deleted document `d`. */
export function liveChunksIn(scope: SearchScope) {
  const parts = [sql`d.deleted_at is null`, sql`d.status = 'ready'`, sql`c.generation = d.chunk_generation`];
  parts.push(...scopeFilter(scope, "c"));
  return sql`document_chunks c join documents d on d.id = c.document_id where ${sql.join(parts, sql` and `)}`;
}

/** The scope's conditions on chunks (`c`) or documents (`d`), which both carry course_id, semester_id and faculty_id. */
function scopeFilter(scope: SearchScope, alias: string) {
  const column = (name: string) => sql.raw(`${alias}.${name}`);
  const parts = [];
  if (scope.courseIds !== undefined) {
    parts.push(
      sql`${column("course_id")} in (${sql.join(scope.courseIds.map((id) => sql`${id}::uuid`), sql`, `)})`,
    );
  }
  if (scope.semesterId) parts.push(sql`${column("semester_id")} = ${scope.semesterId}::uuid`);
  if (scope.facultyId) parts.push(sql`${column("faculty_id")} = ${scope.facultyId}::uuid`);
  return parts;
}

/** BM25 statistics of a scope for some terms: live chunk count, mean chunk length, document frequencies. */
interface TermStats {
  n: number;
  avgdl: number;
  df: Map<string, number>;
}

/**
 * Reads the scope's statistics from the live documents' counters and, through their primary key, `document_terms`
 * (one small row per document and term): no chunk is read, however common a term is.
 */
async function termStats(db: Db, scope: SearchScope, terms: string[]): Promise<TermStats> {
  const live = sql`d.deleted_at is null and d.status = 'ready' and ${
    sql.join(scopeFilter(scope, "d"), sql` and `)
  }`;
  const rows = await queryRows<{ term: string | null; n: number; total: number | null }>(
    db,
    sql`select null as term, coalesce(sum(d.chunk_count), 0)::float8 as n,
          coalesce(sum(d.term_total), 0)::float8 as total
        from documents d where ${live}
        union all
        select t.term, sum(t.df)::float8, null
        from documents d join document_terms t on t.document_id = d.id and t.generation = d.chunk_generation
        where ${live} and t.term in (${sql.join(terms.map((term) => sql`${term}`), sql`, `)})
        group by t.term`,
  );
  const stats: TermStats = { n: 0, avgdl: 1, df: new Map() };
  for (const row of rows) {
    if (row.term === null) {
      stats.n = Number(row.n);
      stats.avgdl = stats.n > 0 ? Math.max(1, Number(row.total) / stats.n) : 1;
    } else stats.df.set(row.term, Number(row.n));
  }
  return stats;
}

/**
 * The best `limit` chunks of a scope for the given normalised query terms, by BM25 (IDF from the scope's live
 * documents). Any term matches (OR), within the candidate budget: see `CANDIDATE_BUDGET`.
 */
export async function fullTextSearch(
  db: Db,
  input: { scope: SearchScope; terms: string[]; limit: number; candidateBudget?: CandidateBudget },
): Promise<TextHit[]> {
  if (!checkScope(input.scope)) return [];
  const queryTerms = [...new Set(input.terms)].filter((t) => /^[\p{L}\p{N}]+$/u.test(t));
  if (queryTerms.length === 0) return [];
  const stats = await termStats(db, input.scope, queryTerms);
  const terms = queryTerms.filter((t) => (stats.df.get(t) ?? 0) > 0);
  if (terms.length === 0) return [];
  const { rows: minRows, share } = input.candidateBudget ?? CANDIDATE_BUDGET;
  const budget = Math.max(minRows, share * stats.n);
  const byRarity = terms.toSorted((a, b) => stats.df.get(a)! - stats.df.get(b)!);
  let read = 0;
  const candidateTerms = byRarity.filter((t, i) => {
    read += stats.df.get(t)!;
    return i === 0 || read <= budget;
  });
  // A course scope looks candidates up in the course-keyed index (posting lists of its own chunks); a scope
  // without courses (faculty or semester alone, unused by the API) tests its chunks' terms one by one.
  const match = input.scope.courseIds !== undefined
    ? sql`${courseTermsExpression(sql`c.course_id`, sql`c.search_text`)} @@ ${
      input.scope.courseIds.flatMap((id) => candidateTerms.map((t) => `'${courseTermKey(id, t)}'`)).join(
        " | ",
      )
    }::tsquery`
    : sql`c.search_vector @@ ${candidateTerms.map((t) => `'${t}'`).join(" | ")}::tsquery`;
  const idf = terms.map((t) => {
    const df = stats.df.get(t)!;
    return Math.log(1 + (Math.max(stats.n, df) - df + 0.5) / (df + 0.5));
  });
  // Term frequency without unnesting every candidate's tsvector: for a one-term query, ts_rank with weight 0.1 is
  // 0.1 · Σ_{j<tf} 1/(j+1)² / ζ(2), which inverts to tf = 1/(ζ(2) − g) − ½.
  const rows = await queryRows<{ id: string; score: number }>(
    db,
    sql`with cand as (
          select c.id, c.term_count, c.search_vector from ${liveChunksIn(input.scope)} and ${match}
        ),
        tf as (
          select cand.id, cand.term_count, t.idf, round(
            1 / (${ZETA2}::float8 - ts_rank('{0.1,0.1,0.1,0.1}', cand.search_vector, t.term::tsquery)::float8
              * ${ZETA2 * 10}::float8) - 0.5
          ) as tf
          from cand cross join unnest(${`{${terms.join(",")}}`}::text[], ${`{${idf.join(",")}}`}::float8[])
            as t(term, idf)
        )
        select id, sum(
          idf * (tf * ${K1 + 1}::float8)
          / (tf + ${K1}::float8 * (${1 - B}::float8 + ${B}::float8 * term_count / ${stats.avgdl}::float8))
        ) as score
        from tf
        where tf > 0
        group by id
        order by score desc
        limit ${input.limit}`,
  );
  return rows.map((r) => ({ id: r.id, score: Number(r.score) }));
}
