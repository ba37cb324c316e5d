import assert from "node:assert/strict";
import { queryRows, sql } from "../db/client.ts";
import { dbTest } from "../db/testing.ts";
import { KEYWORD_ANALYZER_VERSION, keywordTerms, searchTerms } from "../text/normalize.ts";
import { replaceDocumentChunks, writeDocumentTerms } from "./chunk_writer.ts";
import { corpusVersions } from "./corpus_version.ts";
import { fullTextSearch } from "./full_text.ts";
import { reanalyzeStaleDocuments } from "./reanalyze.ts";
import { startFakeQdrant } from "./testing/fake_qdrant.ts";
import { createHashEmbedder } from "./testing/hash_embedder.ts";
import { insertTestDocument, newTestCourse, paragraphs } from "./testing/documents.ts";
import { createQdrantStore } from "./vector/qdrant.ts";

async function indexState(database: Parameters<typeof queryRows>[0], documentId: string) {
  const chunks = await queryRows<{ search_text: string; term_count: number; analyzer_version: number }>(
    database,
    sql`select search_text, term_count, analyzer_version from document_chunks
        where document_id = ${documentId}::uuid order by ordinal`,
  );
  const terms = await queryRows<{ term: string; df: number }>(
    database,
    sql`select term, df from document_terms where document_id = ${documentId}::uuid order by term`,
  );
  const [doc] = await queryRows<{ term_total: number }>(
    database,
    sql`select term_total::int as term_total from documents where id = ${documentId}::uuid`,
  );
  return {
    chunks: chunks.map((c) => [c.search_text, Number(c.term_count), Number(c.analyzer_version)]),
    df: Object.fromEntries(terms.map((t) => [t.term, Number(t.df)])),
    total: Number(doc.term_total),
  };
}

dbTest(
  "reanalyzeStaleDocuments() brings chunks indexed by an earlier analyzer to the writer's terms, in place",
  async (database) => {
    const qdrant = startFakeQdrant();
    try {
      const embedder = createHashEmbedder();
      const store = createQdrantStore({
        url: qdrant.url,
        collection: "ra1",
        dimensions: embedder.dimensions,
      });
      const course = newTestCourse();
      const doc = await insertTestDocument(database, course);
      await replaceDocumentChunks(database, store, embedder, {
        document: doc,
        chunks: paragraphs("بعد وصوله الى المدينة زار الوزير المكتبة", "Cells divide by mitosis."),
      });
      const written = await indexState(database.db, doc.id);
      assert.equal(written.chunks[0][2], KEYWORD_ANALYZER_VERSION);
      const search = async (query: string) =>
        (await fullTextSearch(database.read, {
          scope: { courseIds: [course.courseId] },
          terms: keywordTerms(query),
          limit: 5,
        })).length;
      assert.equal(await search("الوصول"), 1);

      // As the analyzer before version 2 left it: first readings only, and the column's default version.
      await database.db.execute(sql`
        update document_chunks set analyzer_version = 1 where document_id = ${doc.id}::uuid`);
      const old = await queryRows<{ id: string; text: string }>(
        database.db,
        sql`select id, text from document_chunks where document_id = ${doc.id}::uuid`,
      );
      for (const c of old) {
        const terms = searchTerms(c.text);
        await database.db.execute(sql`
          update document_chunks set search_text = ${terms.join(" ")}, term_count = ${terms.length}
          where id = ${c.id}::uuid`);
      }
      const [{ generation }] = await queryRows<{ generation: number }>(
        database.db,
        sql`select chunk_generation as generation from documents where id = ${doc.id}::uuid`,
      );
      const total = await writeDocumentTerms(database.db, doc.id, Number(generation));
      await database.db.execute(sql`update documents set term_total = ${total} where id = ${doc.id}::uuid`);
      assert.notDeepEqual(await indexState(database.db, doc.id), written);
      // The old index still answers first readings, not the new ones.
      assert.equal(await search("المدينة"), 1);
      assert.equal(await search("الوصول"), 0);

      const before = (await corpusVersions(database.db, [course.courseId])).get(course.courseId)!;
      const seen: string[] = [];
      assert.equal(await reanalyzeStaleDocuments(database, { onDocument: (id) => seen.push(id) }), 1);
      assert.deepEqual(seen, [doc.id]);
      assert.deepEqual(await indexState(database.db, doc.id), written);
      assert.equal(await search("الوصول"), 1);
      assert.equal((await corpusVersions(database.db, [course.courseId])).get(course.courseId), before + 1);
      // Nothing left: a second run does nothing and bumps nothing.
      assert.equal(await reanalyzeStaleDocuments(database), 0);
      assert.equal((await corpusVersions(database.db, [course.courseId])).get(course.courseId), before + 1);
    } finally {
      await qdrant.close();
    }
  },
);
