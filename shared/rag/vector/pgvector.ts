import { type Database, type Db, queryRows, sql } from "../../db/client.ts";
import { AppError, ErrorCode } from "../../errors.ts";
import { checkScope, type VectorHit, type VectorScope, type VectorStore } from "./interface.ts";

/** Options of the pgvector store. */
export interface PgvectorOptions {
  dimensions: number;
  /** Table holding the vectors; one per embedding model if you run several. */
  table?: string;
  /** HNSW search breadth; higher is more exact and slower (pgvector's default is 40). */
  efSearch?: number;
}

type Row = {
  id: string;
  document_id: string;
  course_id: string;
  faculty_id: string;
  semester_id: string | null;
  page: number | null;
  generation: number;
  distance: number;
};

/**
 * Vectors in the application's own Postgres (the embedded default on PGlite). The table is created by
 * `ensureSchema()` rather than by migrations, because the extension is optional on Postgres: a database without
 * pgvector still runs everything else and uses Qdrant for vectors.
 */
export function createPgvectorStore(database: Database, options: PgvectorOptions): VectorStore {
  const table = options.table ?? "chunk_vectors";
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`Invalid vector table name "${table}"`);
  const t = sql.raw(`"${table}"`);
  const dims = options.dimensions;
  const efSearch = options.efSearch ?? 100;
  let ready: Promise<void> | undefined;

  async function createSchema(): Promise<void> {
    try {
      await database.db.execute(sql`create extension if not exists vector`);
    } catch (err) {
      throw new AppError(
        ErrorCode.UNAVAILABLE,
        "The pgvector extension is not available in this Postgres: install pgvector, or set VECTOR_STORE=qdrant",
        { cause: err },
      );
    }
    await database.db.execute(sql`create table if not exists ${t} (
      id uuid primary key,
      document_id uuid not null,
      course_id uuid not null,
      faculty_id uuid not null,
      semester_id uuid,
      page integer,
      generation integer not null,
      embedding vector(${sql.raw(String(dims))}) not null
    )`);
    // A 512-d vector is just over the TOAST threshold: keep vectors inline so a scan does not chase TOAST pages.
    await database.db.execute(sql`alter table ${t} alter column embedding set storage plain`);
    const [column] = await queryRows<{ typmod: number }>(
      database.db,
      sql`select atttypmod as typmod from pg_attribute
          where attrelid = ${table}::regclass and attname = 'embedding'`,
    );
    if (column && column.typmod !== dims) {
      throw new AppError(
        ErrorCode.INTERNAL,
        `Vector table "${table}" holds ${column.typmod}-d vectors but the embedder makes ${dims}-d ones: ` +
          `set PGVECTOR_TABLE to a new table and re-index`,
      );
    }
    for (const column of ["course_id", "document_id", "semester_id", "faculty_id"]) {
      await database.db.execute(
        sql.raw(`create index if not exists "${table}_${column}_idx" on "${table}" (${column})`),
      );
    }
    await database.db.execute(
      sql.raw(`create index if not exists "${table}_hnsw_idx" on "${table}"
               using hnsw (embedding vector_cosine_ops)`),
    );
    if (database.kind === "pglite") await applySearchSettings(database.db, "session", efSearch);
  }

  // Iterative HNSW scans (pgvector >= 0.8) keep walking the graph until enough rows pass the scope filter; for
  // small scopes the planner prefers the btree on course_id and an exact sort, which is right too.
  async function applySearchSettings(db: Db, kind: "local" | "session", ef: number): Promise<void> {
    const set = kind === "local" ? "set local" : "set";
    await db.execute(sql.raw(`${set} hnsw.iterative_scan = relaxed_order`));
    await db.execute(sql.raw(`${set} hnsw.ef_search = ${ef}`));
  }

  function ensure(): Promise<void> {
    ready ??= createSchema().catch((err) => {
      ready = undefined;
      throw err;
    });
    return ready;
  }

  function scopeWhere(scope: VectorScope) {
    const parts = [];
    if (scope.courseIds !== undefined) {
      parts.push(sql`course_id in (${sql.join(scope.courseIds.map((id) => sql`${id}::uuid`), sql`, `)})`);
    }
    if (scope.semesterId) parts.push(sql`semester_id = ${scope.semesterId}::uuid`);
    if (scope.facultyId) parts.push(sql`faculty_id = ${scope.facultyId}::uuid`);
    return sql.join(parts, sql` and `);
  }

  function literal(vector: number[]): string {
    if (vector.length !== dims) {
      throw new AppError(ErrorCode.INTERNAL, `Expected a ${dims}-d vector, got ${vector.length}`);
    }
    return `[${vector.join(",")}]`;
  }

  return {
    name: "pgvector",
    ensureSchema: ensure,

    async upsert(points) {
      if (points.length === 0) return;
      await ensure();
      const rows = points.map((p) =>
        sql`(${p.id}::uuid, ${p.payload.documentId}::uuid, ${p.payload.courseId}::uuid,
             ${p.payload.facultyId}::uuid, ${p.payload.semesterId}::uuid, ${p.payload.page}::integer,
             ${p.payload.generation}::integer, ${literal(p.vector)}::vector)`
      );
      await database.db.execute(sql`
        insert into ${t} (id, document_id, course_id, faculty_id, semester_id, page, generation, embedding)
        values ${sql.join(rows, sql`, `)}
        on conflict (id) do update set document_id = excluded.document_id, course_id = excluded.course_id,
          faculty_id = excluded.faculty_id, semester_id = excluded.semester_id, page = excluded.page,
          generation = excluded.generation, embedding = excluded.embedding`);
    },

    async deleteDocument(documentId, options = {}) {
      await ensure();
      const keep = options.exceptGeneration === undefined
        ? sql``
        : sql` and generation <> ${options.exceptGeneration}::integer`;
      await database.db.execute(sql`delete from ${t} where document_id = ${documentId}::uuid${keep}`);
    },

    async query(vector, { scope, limit }) {
      if (!checkScope(scope)) return [];
      await ensure();
      const q = literal(vector);
      const select = sql`select id, document_id, course_id, faculty_id, semester_id, page, generation,
                                embedding <=> ${q}::vector as distance
                         from ${t} where ${scopeWhere(scope)}
                         order by distance limit ${limit}`;
      // PGlite is one session, configured once in ensureSchema(); a pool needs the settings per transaction.
      const rows = database.kind === "pglite"
        ? await queryRows<Row>(database.read, select)
        : await database.read.transaction(async (tx) => {
          // deno-lint-ignore no-explicit-any
          await applySearchSettings(tx as any, "local", Math.max(efSearch, limit));
          // deno-lint-ignore no-explicit-any
          return await queryRows<Row>(tx as any, select);
        });
      return rows
        .map((r): VectorHit => ({
          id: r.id,
          score: 1 - Number(r.distance),
          payload: {
            documentId: r.document_id,
            courseId: r.course_id,
            facultyId: r.faculty_id,
            semesterId: r.semester_id,
            page: r.page,
            generation: r.generation,
          },
        }))
        .sort((a, b) => b.score - a.score);
    },

    async count(scope) {
      await ensure();
      if (scope && !checkScope(scope)) return 0;
      const where = scope ? sql` where ${scopeWhere(scope)}` : sql``;
      const [row] = await queryRows<{ n: number }>(
        database.read,
        sql`select count(*)::int as n from ${t}${where}`,
      );
      return Number(row.n);
    },
  };
}
