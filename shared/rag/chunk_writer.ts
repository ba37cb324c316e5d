/**
 * Writes a document's chunks and vectors for retrieval. Each run writes a new generation next to the live one and
 * swaps `documents.chunk_generation` in one transaction; readers only ever see rows of the live generation, so a
 * re-ingest is atomic from their point of view, and a crashed run leaves invisible rows that the next run removes.
 */
import { type Database, type Db, queryRows, sql } from "../db/client.ts";
import { COURSE_TERMS_INDEX, documentChunks, documentTerms } from "../db/schema/rag.ts";
import type { PageBreak } from "../documents/types.ts";
import { newId } from "../ids.ts";
import { isMostlyArabic } from "../text/fold.ts";
import { KEYWORD_ANALYZER_VERSION, keywordTerms } from "../text/normalize.ts";
import { bumpCorpusVersion } from "./corpus_version.ts";
import type { Embedder } from "./embedder/interface.ts";
import type { VectorPoint, VectorStore } from "./vector/interface.ts";

/** A chunk as the chunker produces it. */
export interface ChunkInput {
  ordinal: number;
  text: string;
  pageStart: number | null;
  pageEnd: number | null;
  /** Where each page after `pageStart` begins in `text` (none: the chunk is cited at `pageStart`). */
  pageBreaks?: PageBreak[];
  heading?: string | null;
}

/** The document fields the writer needs (a `documents` row satisfies it). */
export interface ChunkedDocument {
  id: string;
  courseId: string;
  facultyId: string;
  semesterId: string | null;
}

/** What a replacement did. */
export interface ReplaceResult {
  generation: number;
  chunkCount: number;
  vectorCount: number;
}

/**
 * Rows per statement when writing chunks and vectors. On PGlite a statement runs on the serving thread, and a
 * vector's HNSW insert costs a few milliseconds of it, so a statement of this many rows stays well under the wait
 * a request may see.
 */
export const WRITE_ROWS = 4;
/** Term-statistics rows per statement (cheap rows: a primary-key insert each). */
export const TERM_ROWS = 250;

/** Resolves in a later task of the event loop, so timers and requests queued meanwhile run first. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

let lastStep: Promise<unknown> = Promise.resolve();

/**
 * Runs one bounded piece of write work (a statement and the little computing it needs). On PGlite, which runs
 * every statement on this thread, steps of all writers in the process run one at a time, each in a timer task
 * queued after the step before it ended: between any two steps the event loop answers requests, however many
 * documents are being written at once. On Postgres a statement waits on the network anyway; the step runs at once.
 */
export function writeStep<T>(database: Database, step: () => Promise<T>): Promise<T> {
  if (database.kind !== "pglite") return step();
  const run = lastStep.then(nextTurn).then(step);
  lastStep = run.catch(() => {});
  return run;
}

/**
 * Starts embedding the batch of `chunks` from `start` (none past the end) and resolves to each embedded chunk's
 * vector by its index in the batch. An English-only model maps all Arabic to one point: such chunks get no vector
 * and rely on keywords. A rejection is also marked handled here, so a batch fetched ahead whose writer fails first
 * is not an unhandled rejection; whoever awaits the promise still sees it.
 */
function embedBatch(
  embedder: Embedder,
  chunks: ChunkInput[],
  start: number,
  batchSize: number,
): Promise<Map<number, number[]>> {
  const batch = chunks.slice(start, start + batchSize);
  if (batch.length === 0) return Promise.resolve(new Map());
  const embedIndexes = batch.flatMap((chunk, i) =>
    embedder.englishOnly && isMostlyArabic(chunk.text) ? [] : [i]
  );
  const result = (async () => {
    const vectors = await embedder.embed(embedIndexes.map((i) => embeddingText(batch[i])));
    return new Map(embedIndexes.map((i, n) => [i, vectors[n]]));
  })();
  result.catch(() => {});
  return result;
}

/** The text a chunk is embedded and indexed as: its heading gives a short chunk its context. */
export function embeddingText(chunk: { heading?: string | null; text: string }): string {
  return chunk.heading ? `${chunk.heading}\n${chunk.text}` : chunk.text;
}

/**
 * Replaces a document's chunks and vectors, embedding in the embedder's batch size and reporting progress (0..1)
 * after each batch. On success the document is `ready` with the new chunk count, and its course's corpus version
 * is bumped. On failure nothing readers see has changed; the error propagates so the job can retry.
 */
export async function replaceDocumentChunks(
  database: Database,
  vectorStore: VectorStore,
  embedder: Embedder,
  input: {
    document: ChunkedDocument;
    chunks: ChunkInput[];
    onProgress?: (progress: number) => void | Promise<void>;
  },
): Promise<ReplaceResult> {
  const { document, chunks } = input;
  const [gen] = await queryRows<{ next: number }>(
    database.db,
    sql`select greatest(
          (select chunk_generation from documents where id = ${document.id}::uuid),
          (select max(generation) from document_chunks where document_id = ${document.id}::uuid)
        ) + 1 as next`,
  );
  if (gen?.next == null) throw new Error(`Document "${document.id}" does not exist`);
  const generation = Number(gen.next);

  let vectorCount = 0;
  let termTotal = 0;
  // Document frequency of each term over this generation's chunks (what `writeDocumentTerms` computes in SQL).
  const df = new Map<string, number>();
  const batchSize = Math.max(1, embedder.batchSize);
  // The next batch is embedded while this one is written (`embedBatch`): with the embedder in another process (the
  // offline model in the processor's children) or behind an API, its work overlaps the writes on this thread
  // instead of waiting for them.
  let next = embedBatch(embedder, chunks, 0, batchSize);
  for (let start = 0; start < chunks.length; start += batchSize) {
    const batch = chunks.slice(start, start + batchSize);
    const vectorOf = await next;
    next = embedBatch(embedder, chunks, start + batchSize, batchSize);
    // Written a few rows per statement, each statement a step of its own (`writeStep`): on PGlite every statement
    // runs on this thread (index updates included), so a long document must not hold the event loop for a batch.
    for (let at = 0; at < batch.length; at += WRITE_ROWS) {
      const rows = await writeStep(database, async () => {
        const rows = batch.slice(at, at + WRITE_ROWS).map((chunk) => {
          const terms = keywordTerms(embeddingText(chunk));
          termTotal += terms.length;
          for (const term of new Set(terms)) df.set(term, (df.get(term) ?? 0) + 1);
          return {
            id: newId(),
            documentId: document.id,
            courseId: document.courseId,
            facultyId: document.facultyId,
            semesterId: document.semesterId,
            generation,
            ordinal: chunk.ordinal,
            pageStart: chunk.pageStart,
            pageEnd: chunk.pageEnd,
            pageBreaks: chunk.pageBreaks ?? [],
            heading: chunk.heading ?? null,
            text: chunk.text,
            searchText: terms.join(" "),
            termCount: terms.length,
            analyzerVersion: KEYWORD_ANALYZER_VERSION,
            language: isMostlyArabic(chunk.text) ? "ar" : "other",
          };
        });
        await database.db.insert(documentChunks).values(rows);
        return rows;
      });
      const points: VectorPoint[] = rows.flatMap((r, i) => {
        const vector = vectorOf.get(at + i);
        if (!vector) return [];
        return [{
          id: r.id,
          vector,
          payload: {
            facultyId: r.facultyId,
            semesterId: r.semesterId,
            courseId: r.courseId,
            documentId: r.documentId,
            page: r.pageStart,
            generation,
          },
        }];
      });
      if (points.length) await writeStep(database, () => vectorStore.upsert(points));
      vectorCount += points.length;
    }
    // PGlite has no autovacuum: merge the keyword index's pending list once per batch, while it is small, rather
    // than once for the whole document (or inside an insert, when it outgrows `gin_pending_list_limit`).
    if (database.kind === "pglite") await writeStep(database, () => mergeKeywordIndex(database));
    await input.onProgress?.(Math.min(1, (start + batch.length) / chunks.length));
  }

  await writeTermRows(database, document.id, generation, df);

  await database.db.transaction(async (tx) => {
    await tx.execute(sql`
      update documents set chunk_generation = ${generation}, chunk_count = ${chunks.length},
        term_total = ${termTotal}, status = 'ready', progress = 1, error = null, updated_at = now()
      where id = ${document.id}::uuid`);
    // deno-lint-ignore no-explicit-any
    await bumpCorpusVersion(tx as any, document.courseId);
  });
  if (chunks.length === 0) await input.onProgress?.(1);

  // Old generations are invisible from here on; removing them is housekeeping that a retry also does.
  await vectorStore.deleteDocument(document.id, { exceptGeneration: generation });
  await database.db.execute(
    sql`delete from document_chunks where document_id = ${document.id}::uuid and generation <> ${generation}`,
  );
  await database.db.execute(
    sql`delete from document_terms where document_id = ${document.id}::uuid and generation <> ${generation}`,
  );
  return { generation, chunkCount: chunks.length, vectorCount };
}

/**
 * Writes the document frequencies of one generation of a document from its chunks' `search_text` terms (what search
 * matches on), replacing rows a crashed run left for that generation. Returns the generation's total term count.
 */
export async function writeDocumentTerms(db: Db, documentId: string, generation: number): Promise<number> {
  await db.execute(
    sql`delete from document_terms where document_id = ${documentId}::uuid and generation = ${generation}`,
  );
  await db.execute(sql`
    insert into document_terms (document_id, generation, term, df)
    select c.document_id, c.generation, u.term, count(*)::int
    from document_chunks c
    cross join lateral (select distinct unnest(string_to_array(c.search_text, ' ')) as term) as u
    where c.document_id = ${documentId}::uuid and c.generation = ${generation}
    group by c.document_id, c.generation, u.term`);
  const [row] = await queryRows<{ total: number }>(
    db,
    sql`select coalesce(sum(term_count), 0)::float8 as total from document_chunks
        where document_id = ${documentId}::uuid and generation = ${generation}`,
  );
  return Number(row.total);
}

/**
 * Writes a generation's term statistics counted while its chunks were written (the same figures as
 * `writeDocumentTerms`), `TERM_ROWS` per statement, each a `writeStep`; rows a crashed run left
 * for that generation are replaced.
 */
async function writeTermRows(
  database: Database,
  documentId: string,
  generation: number,
  df: Map<string, number>,
) {
  await database.db.execute(
    sql`delete from document_terms where document_id = ${documentId}::uuid and generation = ${generation}`,
  );
  const entries = [...df];
  for (let at = 0; at < entries.length; at += TERM_ROWS) {
    const rows = entries.slice(at, at + TERM_ROWS).map(([term, count]) => ({
      documentId,
      generation,
      term,
      df: count,
    }));
    await writeStep(database, () => database.db.insert(documentTerms).values(rows));
  }
}

/**
 * Merges the keyword index's pending list on PGlite, which has no autovacuum to do it, or every search would scan a
 * growing list. Postgres's autovacuum does this on its own.
 */
async function mergeKeywordIndex(database: Database): Promise<void> {
  if (database.kind !== "pglite") return;
  await database.db.execute(sql`select gin_clean_pending_list(${COURSE_TERMS_INDEX}::regclass)`);
}

/**
 * Term statistics for chunks written outside `replaceDocumentChunks` (bulk imports, tests, benchmarks): indexes
 * the live generation and records its chunk and term counts.
 */
export async function indexLiveDocumentTerms(database: Database, documentId: string): Promise<void> {
  const db = database.db;
  const [doc] = await queryRows<{ generation: number }>(
    db,
    sql`select chunk_generation as generation from documents where id = ${documentId}::uuid`,
  );
  if (!doc) throw new Error(`Document "${documentId}" does not exist`);
  const total = await writeDocumentTerms(db, documentId, Number(doc.generation));
  await db.execute(sql`
    update documents set term_total = ${total}, chunk_count = (
      select count(*) from document_chunks where document_id = ${documentId}::uuid and generation = ${doc.generation}
    ) where id = ${documentId}::uuid`);
  await mergeKeywordIndex(database);
}

/** Removes a (soft-deleted) document's chunks and vectors; search already ignores them once `deleted_at` is set. */
export async function purgeDocumentChunks(
  database: Database,
  vectorStore: VectorStore,
  documentId: string,
): Promise<void> {
  await vectorStore.deleteDocument(documentId);
  await database.db.execute(sql`delete from document_chunks where document_id = ${documentId}::uuid`);
  await database.db.execute(sql`delete from document_terms where document_id = ${documentId}::uuid`);
}
