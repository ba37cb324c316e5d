/**
 * Re-analysis of keyword terms after an analyzer change (`KEYWORD_ANALYZER_VERSION`, shared/text/normalize.ts).
 * `search_text`, `term_count`, `document_terms` and `documents.term_total` are derived from the chunks' text alone,
 * so a document indexed by an earlier analyzer is brought up to date in place, one transaction per document, without
 * re-embedding or a new chunk generation; its course's corpus version is bumped so search caches forget it. The
 * workers run it at start (a few documents at a time, in the background). Until a document is done, its chunks
 * still match every first-reading term: a query loses only what the change adds.
 */
import { type Database, queryRows, sql } from "../db/client.ts";
import { KEYWORD_ANALYZER_VERSION, keywordTerms } from "../text/normalize.ts";
import { embeddingText, writeDocumentTerms } from "./chunk_writer.ts";
import { bumpCorpusVersion } from "./corpus_version.ts";

/** Live documents with a chunk of their live generation written by an earlier analyzer (at most `limit`). */
async function staleDocuments(database: Database, limit: number): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    database.db,
    sql`select distinct d.id from documents d
        join document_chunks c on c.document_id = d.id and c.generation = d.chunk_generation
        where d.deleted_at is null and d.status = 'ready' and c.analyzer_version < ${KEYWORD_ANALYZER_VERSION}
        limit ${limit}`,
  );
  return rows.map((r) => r.id);
}

/**
 * Re-analyses one document's live chunks if an earlier analyzer wrote any of them; returns whether it did. The
 * document row is locked first, so a re-ingest's swap waits for it (and one it is waiting on is skipped: another
 * worker has it).
 */
export async function reanalyzeDocument(database: Database, documentId: string): Promise<boolean> {
  return await database.db.transaction(async (tx) => {
    const [doc] = await queryRows<{ course_id: string; generation: number }>(
      // deno-lint-ignore no-explicit-any
      tx as any,
      sql`select course_id, chunk_generation as generation from documents
          where id = ${documentId}::uuid and deleted_at is null and status = 'ready' for update skip locked`,
    );
    if (!doc) return false;
    const chunks = await queryRows<
      { id: string; heading: string | null; text: string; analyzer_version: number }
    >(
      // deno-lint-ignore no-explicit-any
      tx as any,
      sql`select id, heading, text, analyzer_version from document_chunks
          where document_id = ${documentId}::uuid and generation = ${doc.generation}`,
    );
    if (!chunks.some((c) => Number(c.analyzer_version) < KEYWORD_ANALYZER_VERSION)) return false;
    for (const chunk of chunks) {
      const terms = keywordTerms(embeddingText(chunk));
      await tx.execute(sql`
        update document_chunks set search_text = ${terms.join(" ")}, term_count = ${terms.length},
          analyzer_version = ${KEYWORD_ANALYZER_VERSION}
        where id = ${chunk.id}::uuid`);
    }
    // deno-lint-ignore no-explicit-any
    const total = await writeDocumentTerms(tx as any, documentId, Number(doc.generation));
    await tx.execute(sql`update documents set term_total = ${total} where id = ${documentId}::uuid`);
    // deno-lint-ignore no-explicit-any
    await bumpCorpusVersion(tx as any, doc.course_id);
    return true;
  });
}

/**
 * Re-analyses every live document an earlier analyzer indexed, `batch` at a time, until none is left (or only
 * documents locked by someone else), or `signal` aborts (between documents). Returns how many it re-analysed.
 */
export async function reanalyzeStaleDocuments(
  database: Database,
  options: { batch?: number; signal?: AbortSignal; onDocument?: (documentId: string) => void } = {},
): Promise<number> {
  let done = 0;
  for (;;) {
    if (options.signal?.aborted) return done;
    const ids = await staleDocuments(database, options.batch ?? 20);
    let progressed = false;
    for (const id of ids) {
      if (options.signal?.aborted) return done;
      if (await reanalyzeDocument(database, id)) {
        done++;
        progressed = true;
        options.onDocument?.(id);
      }
    }
    if (!progressed) return done;
  }
}
