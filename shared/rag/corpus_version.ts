import { type Db, queryRows, sql } from "../db/client.ts";

/**
 * Bumps a course's corpus version (creating it at 1) and returns the new value. Call it in the same transaction
 * as any change to the course's documents: search caches key on the version, so a change invalidates them.
 */
export async function bumpCorpusVersion(tx: Db, courseId: string): Promise<number> {
  const [row] = await queryRows<{ version: number }>(
    tx,
    sql`insert into course_corpus_versions (course_id, version) values (${courseId}::uuid, 1)
        on conflict (course_id) do update
          set version = course_corpus_versions.version + 1, updated_at = now()
        returning version`,
  );
  return Number(row.version);
}

/** The current corpus version of each course (0 for a course with no document change yet). */
export async function corpusVersions(db: Db, courseIds: string[]): Promise<Map<string, number>> {
  const out = new Map(courseIds.map((id) => [id, 0]));
  if (courseIds.length === 0) return out;
  const rows = await queryRows<{ course_id: string; version: number }>(
    db,
    sql`select course_id, version from course_corpus_versions
        where course_id in (${sql.join(courseIds.map((id) => sql`${id}::uuid`), sql`, `)})`,
  );
  for (const r of rows) out.set(r.course_id, Number(r.version));
  return out;
}
