import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { queryRows, sql } from "../db/client.ts";
import { courseCorpusVersions, documents } from "../db/schema/rag.ts";
import { dbTest, freshTestDatabase } from "../db/testing.ts";
import {
  indexLiveDocumentTerms,
  purgeDocumentChunks,
  replaceDocumentChunks,
  TERM_ROWS,
  WRITE_ROWS,
} from "./chunk_writer.ts";
import { corpusVersions } from "./corpus_version.ts";
import { startFakeQdrant } from "./testing/fake_qdrant.ts";
import { createHashEmbedder } from "./testing/hash_embedder.ts";
import { insertTestDocument, newTestCourse, paragraphs } from "./testing/documents.ts";
import type { VectorStore } from "./vector/interface.ts";
import { createQdrantStore } from "./vector/qdrant.ts";
import { createPgvectorStore } from "./vector/pgvector.ts";

async function liveChunks(database: Parameters<typeof queryRows>[0], documentId: string) {
  return await queryRows<{ ordinal: number; text: string; generation: number }>(
    database,
    sql`select c.ordinal, c.text, c.generation from document_chunks c join documents d on d.id = c.document_id
        where c.document_id = ${documentId}::uuid and c.generation = d.chunk_generation order by c.ordinal`,
  );
}

async function allChunks(database: Parameters<typeof queryRows>[0], documentId: string) {
  const [row] = await queryRows<{ n: number }>(
    database,
    sql`select count(*)::int as n from document_chunks where document_id = ${documentId}::uuid`,
  );
  return Number(row.n);
}

dbTest(
  "replaceDocumentChunks() writes chunks and vectors, reports progress and marks the document ready",
  async (database) => {
    const qdrant = startFakeQdrant();
    try {
      const embedder = createHashEmbedder({ batchSize: 2 });
      const store = createQdrantStore({ url: qdrant.url, collection: "w1", dimensions: embedder.dimensions });
      const course = newTestCourse();
      const doc = await insertTestDocument(database, course);
      const progress: number[] = [];
      const result = await replaceDocumentChunks(database, store, embedder, {
        document: doc,
        chunks: paragraphs(
          "Photosynthesis in plants",
          "الخلية النباتية",
          "Cell walls",
          "Chlorophyll",
          "Light",
        ),
        onProgress: (p) => void progress.push(p),
      });
      assert.equal(result.chunkCount, 5);
      assert.equal(result.vectorCount, 5);
      assert.deepEqual(progress, [0.4, 0.8, 1]);
      assert.equal(embedder.calls, 3, "embedded in batches of the embedder's size");
      const [row] = await database.db.select().from(documents).where(eq(documents.id, doc.id));
      assert.equal(row.status, "ready");
      assert.equal(row.chunkCount, 5);
      assert.equal(row.progress, 1);
      assert.equal((await liveChunks(database.db, doc.id)).length, 5);
      assert.equal(await store.count({ courseIds: [course.courseId] }), 5);
      const versions = await corpusVersions(database.db, [course.courseId]);
      assert.equal(versions.get(course.courseId), 1);
    } finally {
      await qdrant.close();
    }
  },
);

dbTest(
  "replaceDocumentChunks() run twice replaces the chunks and vectors without duplicates",
  async (database) => {
    const qdrant = startFakeQdrant();
    try {
      const embedder = createHashEmbedder();
      const store = createQdrantStore({ url: qdrant.url, collection: "w2", dimensions: embedder.dimensions });
      const course = newTestCourse();
      const doc = await insertTestDocument(database, course);
      await replaceDocumentChunks(database, store, embedder, {
        document: doc,
        chunks: paragraphs("a one", "b two", "c three"),
      });
      await replaceDocumentChunks(database, store, embedder, {
        document: doc,
        chunks: paragraphs("new one", "new two"),
      });
      assert.deepEqual((await liveChunks(database.db, doc.id)).map((c) => c.text), ["new one", "new two"]);
      assert.equal(await allChunks(database.db, doc.id), 2);
      assert.equal(await store.count({ courseIds: [course.courseId] }), 2);
      const [version] = await database.db.select().from(courseCorpusVersions)
        .where(eq(courseCorpusVersions.courseId, course.courseId));
      assert.equal(version.version, 2, "each replacement bumps the course's corpus version");
    } finally {
      await qdrant.close();
    }
  },
);

dbTest(
  "a crashed replacement leaves the old chunks live, and its re-run leaves no duplicates",
  async (database) => {
    const qdrant = startFakeQdrant();
    try {
      const embedder = createHashEmbedder({ batchSize: 1 });
      const real = createQdrantStore({ url: qdrant.url, collection: "w3", dimensions: embedder.dimensions });
      const course = newTestCourse();
      const doc = await insertTestDocument(database, course);
      await replaceDocumentChunks(database, real, embedder, {
        document: doc,
        chunks: paragraphs("old one", "old two"),
      });

      // The vector store dies after one batch of the re-ingest.
      let upserts = 0;
      const dying: VectorStore = {
        ...real,
        upsert: (points) =>
          ++upserts > 1 ? Promise.reject(new Error("connection reset")) : real.upsert(points),
      };
      await assert.rejects(
        () =>
          replaceDocumentChunks(database, dying, embedder, {
            document: doc,
            chunks: paragraphs("n1", "n2", "n3"),
          }),
        /connection reset/,
      );
      assert.deepEqual((await liveChunks(database.db, doc.id)).map((c) => c.text), ["old one", "old two"]);

      await replaceDocumentChunks(database, real, embedder, {
        document: doc,
        chunks: paragraphs("n1", "n2", "n3"),
      });
      assert.deepEqual((await liveChunks(database.db, doc.id)).map((c) => c.text), ["n1", "n2", "n3"]);
      assert.equal(await allChunks(database.db, doc.id), 3, "rows of the crashed generation are gone");
      assert.equal(
        await real.count({ courseIds: [course.courseId] }),
        3,
        "vectors of the crashed generation are gone",
      );
    } finally {
      await qdrant.close();
    }
  },
);

dbTest("purgeDocumentChunks() removes a document's chunks and vectors", async (database) => {
  const qdrant = startFakeQdrant();
  try {
    const embedder = createHashEmbedder();
    const store = createQdrantStore({ url: qdrant.url, collection: "w4", dimensions: embedder.dimensions });
    const course = newTestCourse();
    const doc = await insertTestDocument(database, course);
    await replaceDocumentChunks(database, store, embedder, { document: doc, chunks: paragraphs("x", "y") });
    await purgeDocumentChunks(database, store, doc.id);
    assert.equal(await allChunks(database.db, doc.id), 0);
    assert.equal(await store.count({ courseIds: [course.courseId] }), 0);
  } finally {
    await qdrant.close();
  }
});

dbTest("an English-only embedder gives Arabic chunks no vector", async (database) => {
  const qdrant = startFakeQdrant();
  try {
    const embedder = createHashEmbedder({ englishOnly: true });
    const store = createQdrantStore({ url: qdrant.url, collection: "w5", dimensions: embedder.dimensions });
    const course = newTestCourse();
    const doc = await insertTestDocument(database, course);
    const result = await replaceDocumentChunks(database, store, embedder, {
      document: doc,
      chunks: paragraphs("The cell membrane", "غشاء الخلية يحيط بها"),
    });
    assert.equal(result.chunkCount, 2);
    assert.equal(result.vectorCount, 1);
  } finally {
    await qdrant.close();
  }
});

/** A document's term statistics as stored: `term → df` of each generation, and its counters. */
async function termStats(database: Parameters<typeof queryRows>[0], documentId: string) {
  const rows = await queryRows<{ generation: number; term: string; df: number }>(
    database,
    sql`select generation, term, df from document_terms where document_id = ${documentId}::uuid
        order by generation, term`,
  );
  const [doc] = await queryRows<{ chunk_count: number; term_total: number }>(
    database,
    sql`select chunk_count, term_total::int as term_total from documents where id = ${documentId}::uuid`,
  );
  return {
    generations: [...new Set(rows.map((r) => Number(r.generation)))],
    df: Object.fromEntries(rows.map((r) => [r.term, Number(r.df)])),
    chunks: Number(doc.chunk_count),
    terms: Number(doc.term_total),
  };
}

dbTest(
  "replaceDocumentChunks() keeps per-document term frequencies of the live generation only; purge removes them",
  async (database) => {
    const qdrant = startFakeQdrant();
    try {
      const embedder = createHashEmbedder();
      const store = createQdrantStore({ url: qdrant.url, collection: "w5", dimensions: embedder.dimensions });
      const doc = await insertTestDocument(database, newTestCourse());
      await replaceDocumentChunks(database, store, embedder, {
        document: doc,
        chunks: paragraphs("osmosis water water", "osmosis salt", "membranes"),
      });
      // "osmosis" is in two chunks; "water" twice in one chunk counts once.
      assert.deepEqual(await termStats(database.db, doc.id), {
        generations: [1],
        df: { membran: 1, osmosi: 2, salt: 1, water: 1 },
        chunks: 3,
        terms: 6,
      });
      await replaceDocumentChunks(database, store, embedder, {
        document: doc,
        chunks: paragraphs("salt salt"),
      });
      assert.deepEqual(await termStats(database.db, doc.id), {
        generations: [2],
        df: { salt: 1 },
        chunks: 1,
        terms: 2,
      });
      await purgeDocumentChunks(database, store, doc.id);
      assert.deepEqual((await termStats(database.db, doc.id)).df, {});
    } finally {
      await qdrant.close();
    }
  },
);

dbTest(
  "indexLiveDocumentTerms() and the backfill migration give chunks written elsewhere the writer's statistics",
  async (database) => {
    const qdrant = startFakeQdrant();
    try {
      const embedder = createHashEmbedder();
      const store = createQdrantStore({ url: qdrant.url, collection: "w6", dimensions: embedder.dimensions });
      const doc = await insertTestDocument(database, newTestCourse());
      await replaceDocumentChunks(database, store, embedder, {
        document: doc,
        chunks: paragraphs("Cells divide by mitosis.", "Mitosis and meiosis", "الخلية تنقسم"),
      });
      const written = await termStats(database.db, doc.id);
      const forget = async () => {
        await database.db.execute(sql`delete from document_terms where document_id = ${doc.id}::uuid`);
        await database.db.execute(
          sql`update documents set term_total = 0, chunk_count = 0 where id = ${doc.id}::uuid`,
        );
        assert.deepEqual((await termStats(database.db, doc.id)).df, {});
      };

      await forget();
      await indexLiveDocumentTerms(database, doc.id);
      assert.deepEqual(await termStats(database.db, doc.id), written);

      await forget();
      const migration = await Deno.readTextFile(
        new URL("../../migrations/0006_document_terms_backfill.sql", import.meta.url),
      );
      for (const statement of migration.split("--> statement-breakpoint")) {
        await database.db.execute(sql.raw(statement));
      }
      assert.deepEqual(await termStats(database.db, doc.id), written);
    } finally {
      await qdrant.close();
    }
  },
);

/** Statements that write a document's rows or merge its keyword index: the work a writer must spread out. */
const HEAVY =
  /^\s*(insert into "?(document_chunks|turn_vectors|document_terms)|select gin_clean_pending_list)/i;

/**
 * Records the heavy statements an embedded PGlite runs, and for each whether the event loop has turned since the
 * heavy statement before it ended: a timer queued when that one finished has fired (requests waiting meanwhile
 * would have been answered).
 */
function recordHeavyStatements(database: Awaited<ReturnType<typeof freshTestDatabase>>) {
  // deno-lint-ignore no-explicit-any
  const client = (database.db as any).$client;
  const original = client.execProtocolStream;
  const decoder = new TextDecoder();
  const statements: { text: string; afterTurn: boolean }[] = [];
  let heavy = false;
  let turned = { fired: true };
  client.execProtocolStream = async function (message: Uint8Array, ...rest: unknown[]) {
    // Parse ("P": name, then text) or simple query ("Q": text), after the type byte and the length.
    const kind = String.fromCharCode(message[0]);
    if (kind === "P" || kind === "Q") {
      const fields = decoder.decode(message.subarray(5)).split("\0");
      const text = kind === "P" ? fields[1] : fields[0];
      heavy = HEAVY.test(text);
      if (heavy) statements.push({ text, afterTurn: turned.fired });
    }
    try {
      return await original.call(this, message, ...rest);
    } finally {
      if (heavy) {
        const mark = { fired: false };
        setTimeout(() => mark.fired = true, 0);
        turned = mark;
      }
    }
  };
  return {
    statements,
    restore: () => void (client.execProtocolStream = original),
  };
}

/** Rows in an insert statement's `values` list (each tuple starts with a parameter). */
const rowsOf = (text: string) => (text.slice(text.search(/ values /i)).match(/\(\$\d+/g) ?? []).length;

Deno.test({
  name:
    "[pglite] replaceDocumentChunks() writes in small statements, and the event loop turns between any two",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    // On PGlite every statement runs on the serving thread: a whole batch written in one task (rows, HNSW and
    // keyword index updates) held the event loop for hundreds of milliseconds per batch of a long document, and
    // documents written at once each took their turn in the same task.
    const database = await freshTestDatabase("pglite");
    const spy = recordHeavyStatements(database);
    try {
      const embedder = createHashEmbedder({ batchSize: 32 });
      const store = createPgvectorStore(database, { dimensions: embedder.dimensions, table: "turn_vectors" });
      await store.ensureSchema();
      const course = newTestCourse();
      const docs = [await insertTestDocument(database, course), await insertTestDocument(database, course)];
      const texts = (d: number) =>
        Array.from(
          { length: 70 },
          (_, i) => Array.from({ length: 10 }, (_, w) => `d${d}t${i}w${w}`).join(" "),
        );
      spy.statements.length = 0;
      const results = await Promise.all(
        docs.map((doc, d) =>
          replaceDocumentChunks(database, store, embedder, { document: doc, chunks: paragraphs(...texts(d)) })
        ),
      );
      assert.deepEqual(results.map((r) => r.chunkCount), [70, 70]);
      assert.equal(await store.count({ courseIds: [course.courseId] }), 140);

      const writes = spy.statements;
      const rows = (table: string) => writes.filter((w) => w.text.includes(table)).map((w) => rowsOf(w.text));
      const chunkRows = rows("document_chunks");
      const vectorRows = rows("turn_vectors");
      const termRows = rows("document_terms");
      assert.ok(
        Math.max(...chunkRows, ...vectorRows) <= WRITE_ROWS,
        `at most ${WRITE_ROWS} rows per statement`,
      );
      assert.ok(Math.max(...termRows) <= TERM_ROWS, `at most ${TERM_ROWS} term rows per statement`);
      const together = writes.filter((w) => !w.afterTurn);
      assert.deepEqual(together, [], "the event loop turns between any two writes");
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      assert.equal(sum(chunkRows), 140, "every chunk row is seen");
      assert.equal(sum(vectorRows), 140, "every vector is seen");
      assert.equal(sum(termRows), 1400, "every term row is seen (in statements that list their rows)");
    } finally {
      spy.restore();
      await database.close();
    }
  },
});

dbTest(
  "replaceDocumentChunks() embeds the next batch while it writes this one, never more than one batch ahead",
  async (database) => {
    // With the embedder in another process (the processor's children) its work and the writes on this thread
    // overlap; written one after the other, a document took the sum of both.
    const hash = createHashEmbedder({ batchSize: 8 });
    const qdrant = startFakeQdrant();
    const base = createQdrantStore({ url: qdrant.url, collection: "ahead", dimensions: hash.dimensions });
    let started = 0;
    let inFlight = 0;
    let mostInFlight = 0;
    const embedder = {
      ...hash,
      async embed(texts: string[]) {
        started++;
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        try {
          return await hash.embed(texts);
        } finally {
          inFlight--;
        }
      },
    };
    // For each vector statement: which batch it writes, and how many embeddings had been started by then.
    const upserts: { batch: number; started: number }[] = [];
    const store: VectorStore = {
      ...base,
      upsert: (points) => {
        const batch = Math.floor(Number(points[0].payload.page) / 8);
        upserts.push({ batch, started });
        return base.upsert(points);
      },
    };
    try {
      const course = newTestCourse();
      const doc = await insertTestDocument(database, course);
      const chunks = paragraphs(...Array.from({ length: 30 }, (_, i) => `topic ${i} words here`))
        .map((c, i) => ({ ...c, pageStart: i, pageEnd: i }));
      const result = await replaceDocumentChunks(database, store, embedder, { document: doc, chunks });
      assert.equal(result.vectorCount, 30);
      assert.equal(started, 4, "30 chunks in batches of 8: four embeddings");
      assert.ok(upserts.length >= 4);
      for (const u of upserts) {
        assert.equal(
          u.started,
          Math.min(u.batch + 2, 4),
          `batch ${u.batch} is written with the next one embedding`,
        );
      }
      assert.ok(mostInFlight <= 2, "at most the batch being written and the next");
    } finally {
      await qdrant.close();
    }
  },
);
