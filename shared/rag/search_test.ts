import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { documentChunks, documents } from "../db/schema/rag.ts";
import { dbTest } from "../db/testing.ts";
import { replaceDocumentChunks } from "./chunk_writer.ts";
import type { Embedder } from "./embedder/interface.ts";
import { startFakeQdrant } from "./testing/fake_qdrant.ts";
import { createHashEmbedder, hashedBagOfWords } from "./testing/hash_embedder.ts";
import { insertTestDocument, newTestCourse, paragraphs, type TestCourse } from "./testing/documents.ts";
import type { VectorStore } from "./vector/interface.ts";
import { createPgvectorStore } from "./vector/pgvector.ts";
import { createQdrantStore } from "./vector/qdrant.ts";
import { keywordTerms, searchTerms } from "../text/normalize.ts";
import { fullTextSearch } from "./full_text.ts";
import { hybridSearch } from "./search.ts";

async function ingest(
  database: Database,
  store: VectorStore,
  embedder: Embedder,
  course: TestCourse,
  texts: string[],
  title = "Notes",
) {
  const doc = await insertTestDocument(database, course, title);
  await replaceDocumentChunks(database, store, embedder, { document: doc, chunks: paragraphs(...texts) });
  return doc;
}

/** A fake Qdrant and a store on it, closed by the returned function. */
function qdrantStore(dimensions: number) {
  const qdrant = startFakeQdrant();
  const store = createQdrantStore({ url: qdrant.url, collection: `t${crypto.randomUUID()}`, dimensions });
  return { qdrant, store };
}

const BIOLOGY = [
  "Photosynthesis converts light energy into chemical energy stored in glucose.",
  "Mitochondria are the powerhouse of the cell, producing ATP through respiration.",
  "تقوم النباتات بعملية البناء الضوئي في البلاستيدات الخضراء.",
  "The universities of Europe taught botany as part of medicine.",
];

dbTest(
  "fullTextSearch() matches stemmed English and folded Arabic inside the scope only",
  async (database) => {
    const { qdrant, store } = qdrantStore(64);
    try {
      const embedder = createHashEmbedder();
      const course = newTestCourse();
      const other = newTestCourse();
      await ingest(database, store, embedder, course, BIOLOGY);
      await ingest(database, store, embedder, other, BIOLOGY);
      const search = (q: string) =>
        fullTextSearch(database.read, {
          scope: { courseIds: [course.courseId] },
          terms: searchTerms(q),
          limit: 5,
        });

      // The other course holds the same texts: one hit each means its copy stayed out.
      const english = await search("Which university taught botany?");
      assert.equal(english.length, 1);
      // Written with diacritics and a different prefix, the Arabic query still meets the chunk.
      const arabic = await search("البِناء الضَّوئيّ والبلاستيدات");
      assert.equal(arabic.length, 1);
      const all = await search("energy cell light plants glucose mitochondria");
      assert.ok(all.length >= 2);
      assert.ok(all[0].score >= all[1].score, "ranked by score");
      assert.deepEqual(await search("the of and"), [], "stop words alone match nothing");
    } finally {
      await qdrant.close();
    }
  },
);

dbTest(
  "hybridSearch() fuses keyword and vector hits, and a chunk found by both ranks first",
  async (database) => {
    const { qdrant, store } = qdrantStore(64);
    try {
      // Stands in for a semantic model: "plants make food" and photosynthesis share a concept, not a word.
      const conceptual = (text: string) => /photosynthesis|make food/i.test(text) ? "conceptenergy" : text;
      const embedder: Embedder = {
        ...createHashEmbedder(),
        embed: (texts) => Promise.resolve(texts.map((t) => hashedBagOfWords(conceptual(t), 64))),
      };
      const course = newTestCourse();
      await ingest(database, store, embedder, course, [
        "Photosynthesis converts light into glucose.", // vectors only (shared concept)
        "Plants absorb water through their roots.", // keywords only ("plants")
        "Cells divide by mitosis.",
      ]);
      const { results, degraded } = await hybridSearch(
        { database, vectorStore: store, embedder },
        { scope: { courseIds: [course.courseId] }, query: "How do plants make food?", k: 3 },
      );
      assert.equal(degraded, undefined);
      const texts = results.map((r) => r.text);
      assert.ok(texts.includes("Photosynthesis converts light into glucose."), "the vector side contributes");
      assert.ok(texts.includes("Plants absorb water through their roots."), "the keyword side contributes");

      const both = await hybridSearch(
        { database, vectorStore: store, embedder },
        { scope: { courseIds: [course.courseId] }, query: "photosynthesis glucose", k: 3 },
      );
      assert.equal(both.results[0].text, "Photosynthesis converts light into glucose.");
      assert.equal(both.results[0].page, 1);
      assert.equal(both.results[0].documentTitle, "Notes");
      assert.match(both.results[0].snippet, /Photosynthesis/);
    } finally {
      await qdrant.close();
    }
  },
);

for (const backend of ["qdrant", "pgvector"] as const) {
  dbTest(
    `a student's scope never gets another course's or faculty's chunk (${backend})`,
    async (database) => {
      if (backend === "pgvector" && !database.hasVector) {
        await assert.rejects(
          () => createPgvectorStore(database, { dimensions: 64 }).ensureSchema(),
          /pgvector/,
        );
        return;
      }
      const { qdrant, store } = backend === "qdrant" ? qdrantStore(64) : {
        qdrant: undefined,
        store: createPgvectorStore(database, { dimensions: 64, table: "scope_test_vectors" }),
      };
      try {
        const embedder = createHashEmbedder();
        const mine = newTestCourse();
        const sameFaculty = newTestCourse({ facultyId: mine.facultyId, semesterId: mine.semesterId });
        const otherFaculty = newTestCourse();
        await ingest(database, store, embedder, mine, ["Cell biology: the membrane."]);
        await ingest(database, store, embedder, sameFaculty, BIOLOGY);
        await ingest(database, store, embedder, otherFaculty, BIOLOGY);
        const deps = { database, vectorStore: store, embedder };
        for (const query of [...BIOLOGY, "energy", "البناء الضوئي", "cell"]) {
          const { results, degraded } = await hybridSearch(deps, {
            scope: { courseIds: [mine.courseId] },
            query,
            k: 10,
          });
          assert.equal(degraded, undefined);
          assert.ok(results.every((r) => r.courseId === mine.courseId), `query "${query}" stayed in scope`);
        }
        const faculty = await hybridSearch(deps, {
          scope: { facultyId: otherFaculty.facultyId },
          query: "energy",
          k: 10,
        });
        assert.ok(faculty.results.length > 0);
        assert.ok(faculty.results.every((r) => r.courseId === otherFaculty.courseId));
        assert.deepEqual(
          (await hybridSearch(deps, { scope: { courseIds: [] }, query: "energy" })).results,
          [],
        );
        await assert.rejects(() => hybridSearch(deps, { scope: {}, query: "energy" }), /needs a scope/);
      } finally {
        await qdrant?.close();
      }
    },
  );
}

dbTest("hybridSearch() answers from keywords and says so when the vector store is down", async (database) => {
  const { qdrant, store } = qdrantStore(64);
  try {
    const embedder = createHashEmbedder();
    const course = newTestCourse();
    await ingest(database, store, embedder, course, BIOLOGY);
    qdrant.failing = true;
    const deps = { database, vectorStore: store, embedder };
    const down = await hybridSearch(deps, {
      scope: { courseIds: [course.courseId] },
      query: "mitochondria ATP",
    });
    assert.equal(down.degraded, "vector_unavailable");
    assert.equal(down.results[0].text, BIOLOGY[1]);

    const hanging: VectorStore = { ...store, query: () => new Promise(() => {}) };
    const slow = await hybridSearch(
      { ...deps, vectorStore: hanging },
      { scope: { courseIds: [course.courseId] }, query: "mitochondria" },
      { vectorTimeoutMs: 50 },
    );
    assert.equal(slow.degraded, "vector_unavailable");
    assert.equal(slow.results.length, 1);
  } finally {
    await qdrant.close();
  }
});

dbTest(
  "an Arabic query with an English-only embedder uses keywords by design, not as a degradation",
  async (database) => {
    const { qdrant, store } = qdrantStore(64);
    try {
      const embedder = createHashEmbedder({ englishOnly: true });
      const course = newTestCourse();
      await ingest(database, store, embedder, course, BIOLOGY);
      qdrant.failing = true; // would degrade if the vector side were asked
      const result = await hybridSearch(
        { database, vectorStore: store, embedder },
        { scope: { courseIds: [course.courseId] }, query: "ما هو البناء الضوئي؟" },
      );
      assert.equal(result.degraded, undefined);
      assert.equal(result.results[0].text, BIOLOGY[2]);
    } finally {
      await qdrant.close();
    }
  },
);

dbTest("a deleted or failed document's chunks leave retrieval at once", async (database) => {
  const { qdrant, store } = qdrantStore(64);
  try {
    const embedder = createHashEmbedder();
    const course = newTestCourse();
    const kept = await ingest(
      database,
      store,
      embedder,
      course,
      ["Osmosis moves water across membranes."],
      "Kept",
    );
    const gone = await ingest(database, store, embedder, course, ["Osmosis in red blood cells."], "Gone");
    const deps = { database, vectorStore: store, embedder };
    const search = () => hybridSearch(deps, { scope: { courseIds: [course.courseId] }, query: "osmosis" });
    assert.equal((await search()).results.length, 2);
    await database.db.update(documents).set({ deletedAt: new Date() }).where(eq(documents.id, gone.id));
    assert.deepEqual((await search()).results.map((r) => r.documentId), [kept.id]);
    await database.db.update(documents).set({ status: "failed" }).where(eq(documents.id, kept.id));
    assert.deepEqual((await search()).results, []);
  } finally {
    await qdrant.close();
  }
});

dbTest(
  "fullTextSearch() counts repeated terms and favours the rarer of two terms (BM25)",
  async (database) => {
    const { qdrant, store } = qdrantStore(64);
    try {
      const embedder = createHashEmbedder();
      const course = newTestCourse();
      await ingest(database, store, embedder, course, [
        "osmosis salt water cell",
        "osmosis osmosis water cell",
        "diffusion water cell pressure",
        "diffusion salt water pressure",
        "diffusion salt membrane pressure",
      ]);
      const ids = async (q: string) => {
        const hits = await fullTextSearch(database.read, {
          scope: { courseIds: [course.courseId] },
          terms: searchTerms(q),
          limit: 5,
        });
        return hits;
      };
      const [top] = await ids("osmosis");
      const { results } = await hybridSearch(
        { database, vectorStore: store, embedder },
        { scope: { courseIds: [course.courseId] }, query: "osmosis", k: 1 },
        { vectorWeight: 0 },
      );
      assert.equal(results[0].chunkId, top.id);
      assert.equal(results[0].text, "osmosis osmosis water cell", "two occurrences beat one at equal length");
      // "osmosis" is in 2 of 5 chunks, "water" in 4: the chunk matching the rare term wins over the common one.
      const rare = await hybridSearch(
        { database, vectorStore: store, embedder },
        { scope: { courseIds: [course.courseId] }, query: "osmosis pressure", k: 5 },
        { vectorWeight: 0 },
      );
      assert.match(rare.results[0].text, /osmosis/);
      assert.equal((await ids("osmosis water")).length, 4);
    } finally {
      await qdrant.close();
    }
  },
);

/** Chunk id → text of a course's chunks. */
async function chunkTexts(database: Database, courseId: string): Promise<Map<string, string>> {
  const rows = await database.db.select({ id: documentChunks.id, text: documentChunks.text })
    .from(documentChunks).where(eq(documentChunks.courseId, courseId));
  return new Map(rows.map((r) => [r.id, r.text]));
}

/** BM25 as the formula reads (Robertson–Spärck Jones IDF with +1, k1 0.9, b 0.75), for checking the SQL. */
function referenceBm25(chunks: string[][], query: string[]): Map<number, number> {
  const n = chunks.length;
  const avgdl = chunks.reduce((a, c) => a + c.length, 0) / n;
  const scores = new Map<number, number>();
  for (const term of new Set(query)) {
    const df = chunks.filter((c) => c.includes(term)).length;
    if (df === 0) continue;
    const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    chunks.forEach((c, i) => {
      const tf = c.filter((t) => t === term).length;
      if (tf === 0) return;
      const part = idf * tf * 1.9 / (tf + 0.9 * (0.25 + 0.75 * c.length / avgdl));
      scores.set(i, (scores.get(i) ?? 0) + part);
    });
  }
  return scores;
}

dbTest("fullTextSearch() scores are BM25's over the scope's live documents", async (database) => {
  const { qdrant, store } = qdrantStore(64);
  try {
    const embedder = createHashEmbedder();
    const course = newTestCourse();
    const texts = [
      "Osmosis moves water across a membrane; osmosis needs no energy.",
      "Diffusion moves solutes from high to low concentration.",
      "Active transport uses energy to pump ions across the membrane against the gradient.",
      "Water potential decides the direction of osmosis.",
      "الخاصية الأسموزية تنقل الماء عبر الغشاء، والغشاء شبه منفذ.",
    ];
    await ingest(database, store, embedder, course, texts.slice(0, 2), "One");
    await ingest(database, store, embedder, course, texts.slice(2), "Two");
    // Another course's and a deleted document's chunks count for nothing.
    await ingest(database, store, embedder, newTestCourse(), ["osmosis osmosis membrane energy"]);
    const deleted = await ingest(database, store, embedder, course, ["osmosis water energy"], "Deleted");
    await database.db.update(documents).set({ deletedAt: new Date() }).where(eq(documents.id, deleted.id));

    // Arabic terms too: the tsvector's `simple` parser must see the same terms as `search_text` holds.
    const query = keywordTerms("osmosis across the membrane needs energy الغشاء الماء");
    const hits = await fullTextSearch(database.read, {
      scope: { courseIds: [course.courseId] },
      terms: query,
      limit: 10,
    });
    const expected = referenceBm25(texts.map(keywordTerms), query);
    const textOf = await chunkTexts(database, course.courseId);
    assert.equal(hits.length, expected.size);
    for (const hit of hits) {
      const want = expected.get(texts.indexOf(textOf.get(hit.id)!))!;
      assert.ok(Math.abs(hit.score - want) < 1e-6, `${textOf.get(hit.id)}: ${hit.score} vs ${want}`);
    }
    // A scope without course ids (the semester alone) takes the unindexed path to the same scores.
    const bySemester = await fullTextSearch(database.read, {
      scope: { semesterId: course.semesterId },
      terms: query,
      limit: 10,
    });
    assert.deepEqual(bySemester, hits);
  } finally {
    await qdrant.close();
  }
});

dbTest(
  "fullTextSearch(): past the candidate budget the commonest query terms only score, rarest always matches",
  async (database) => {
    const { qdrant, store } = qdrantStore(64);
    try {
      const embedder = createHashEmbedder();
      const course = newTestCourse();
      await ingest(database, store, embedder, course, [
        "cell wall",
        "cell membrane",
        "cell nucleus",
        "cell membrane protein",
        "membrane",
        "ribosome",
      ]);
      const textOf = await chunkTexts(database, course.courseId);
      // Document frequencies: cell 4, membrane 3, nucleus 1, protein 1.
      const search = async (q: string, rows?: number) =>
        (await fullTextSearch(database.read, {
          scope: { courseIds: [course.courseId] },
          terms: searchTerms(q),
          limit: 10,
          candidateBudget: rows === undefined ? undefined : { rows, share: 0 },
        })).map((h) => textOf.get(h.id));
      // nucleus + protein fit a budget of 2 rows, cell does not: it ranks the candidates but brings none.
      assert.deepEqual(await search("cell nucleus protein", 2), ["cell nucleus", "cell membrane protein"]);
      // The rarest term always brings its chunks, even past the budget.
      assert.deepEqual(
        (await search("cell membrane", 2)).toSorted(),
        ["cell membrane", "cell membrane protein", "membrane"],
      );
      assert.equal((await search("cell membrane", 2))[0], "cell membrane", "cell still scores");
      // A share of the scope's chunks can set the budget too: a third of 6 chunks fits nucleus + protein.
      assert.equal(
        (await fullTextSearch(database.read, {
          scope: { courseIds: [course.courseId] },
          terms: searchTerms("cell nucleus protein"),
          limit: 10,
          candidateBudget: { rows: 0, share: 1 / 3 },
        })).length,
        2,
      );
      // Within the (default) budget any term matches: exact BM25 over every chunk holding a query term.
      assert.equal((await search("cell nucleus protein")).length, 4);
      assert.equal((await search("cell membrane")).length, 5);
    } finally {
      await qdrant.close();
    }
  },
);
