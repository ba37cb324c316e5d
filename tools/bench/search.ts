/**
 * `deno task bench:search`: retrieval speed on the embedded default (PGlite + pgvector).
 *
 * 1. Ingestion throughput: the chunk writer (embed + write chunks + write vectors + swap) against the raw offline
 *    embedder on the same English paragraphs (XQuAD from ../shared/data when present, else the fixtures).
 * 2. Scoped search latency at 10k and 100k chunks: synthetic clustered 512-d vectors and Zipf-distributed synthetic
 *    text in 100 courses of 10 faculties; queries scoped to one course, and to one faculty (10% of the corpus).
 *    Query vectors are precomputed so the figures are the store's and database's; embedding a query with the
 *    offline model adds its own time (printed once).
 *
 * Flags: `--sizes 10000,100000`, `--queries 200`, `--skip-ingest`, `--data DIR`.
 */
import { hybridSearch } from "../../core/rag/search.ts";
import { openPglite, sql } from "../../shared/db/client.ts";
import { documentChunks, documents } from "../../shared/db/schema/rag.ts";
import { migrateDatabase } from "../../shared/db/migrate.ts";
import { newId } from "../../shared/ids.ts";
import { replaceDocumentChunks } from "../../shared/rag/chunk_writer.ts";
import type { Embedder } from "../../shared/rag/embedder/interface.ts";
import { createOfflineEmbedder } from "../../shared/rag/embedder/offline.ts";
import { createPgvectorStore } from "../../shared/rag/vector/pgvector.ts";
import { normalizeForSearch } from "../../shared/text/normalize.ts";

function flag(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

function percentile(values: number[], p: number): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Deterministic pseudo-random numbers, so runs are comparable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

async function englishParagraphs(): Promise<string[]> {
  const candidates = [flag("data"), "../shared/data", "../../shared/data"].filter(Boolean) as string[];
  for (const dir of candidates) {
    try {
      const squad = JSON.parse(await Deno.readTextFile(`${dir}/xquad/xquad.en.json`));
      // deno-lint-ignore no-explicit-any
      return squad.data.flatMap((a: any) => a.paragraphs.map((p: any) => p.context)).slice(0, 96);
    } catch { /* try the next place */ }
  }
  const fixture = JSON.parse(
    await Deno.readTextFile(new URL("../../fixtures/rag/xquad.en.sample.json", import.meta.url)),
  );
  // deno-lint-ignore no-explicit-any
  const texts = fixture.data.flatMap((a: any) => a.paragraphs.map((p: any) => p.context));
  return [...texts, ...texts, ...texts].map((t, i) => `${t} (${i})`);
}

const database = await openPglite("memory://");
await migrateDatabase(database);
const DIMS = 512;
const store = createPgvectorStore(database, { dimensions: DIMS });
await store.ensureSchema();
const offline = createOfflineEmbedder();

if (!Deno.args.includes("--skip-ingest")) {
  const texts = await englishParagraphs();
  await offline.embed(["warm up the model"]);
  const rawRates: number[] = [];
  const writerRates: number[] = [];
  for (let round = 0; round < 2; round++) {
    let started = performance.now();
    for (let i = 0; i < texts.length; i += offline.batchSize) {
      await offline.embed(texts.slice(i, i + offline.batchSize));
    }
    rawRates.push(texts.length / ((performance.now() - started) / 1000));

    const course = { courseId: newId(), facultyId: newId(), semesterId: newId() };
    const [doc] = await database.db.insert(documents).values({
      ...course,
      title: "bench",
      fileName: "bench.txt",
      mime: "text/plain",
      sizeBytes: 0,
    }).returning();
    started = performance.now();
    await replaceDocumentChunks(database, store, offline, {
      document: doc,
      chunks: texts.map((text, ordinal) => ({
        ordinal,
        text,
        pageStart: 1 + (ordinal >> 2),
        pageEnd: 1 + (ordinal >> 2),
      })),
    });
    writerRates.push(texts.length / ((performance.now() - started) / 1000));
  }
  const raw = Math.max(...rawRates);
  const writer = Math.max(...writerRates);
  console.log(
    `ingestion (${texts.length} English paragraphs, best of 2): raw embedder ${raw.toFixed(2)} chunks/s, ` +
      `chunk writer ${writer.toFixed(2)} chunks/s, ratio ${(writer / raw).toFixed(3)}`,
  );
  const started = performance.now();
  for (let i = 0; i < 20; i++) await offline.embed([`what did the panthers defense do in game ${i}?`]);
  console.log(
    `query embedding (offline model): ${((performance.now() - started) / 20).toFixed(1)} ms per query`,
  );
}

// Synthetic corpus: clustered vectors (like topics in real text) and Zipf-like words.
const random = rng(42);
const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
const centroids = Array.from({ length: 256 }, () => Array.from({ length: DIMS }, gauss));
function clusteredVector(): number[] {
  const c = centroids[Math.floor(random() * centroids.length)];
  const v = c.map((x) => x + gauss() * 0.8);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
const vocabulary = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}x`);
const word = () => vocabulary[Math.floor(vocabulary.length * Math.pow(random(), 3))];
const sentence = (n: number) => Array.from({ length: n }, word).join(" ");

const faculties = Array.from({ length: 10 }, () => newId());
const courses = Array.from({ length: 100 }, (_, i) => ({
  courseId: newId(),
  facultyId: faculties[i % 10],
  semesterId: null,
}));
const courseDocs = new Map<string, string>();
for (const course of courses) {
  const [doc] = await database.db.insert(documents).values({
    ...course,
    title: "synthetic",
    fileName: "synthetic.txt",
    mime: "text/plain",
    sizeBytes: 0,
    status: "ready",
    chunkGeneration: 1,
  }).returning();
  courseDocs.set(course.courseId, doc.id);
}

const sizes = (flag("sizes") ?? "10000,100000").split(",").map(Number);
const queries = Number(flag("queries") ?? 200);
let loaded = 0;
for (const size of sizes) {
  const started = performance.now();
  while (loaded < size) {
    const batch = Math.min(500, size - loaded);
    const rows = Array.from({ length: batch }, (_, i) => {
      const course = courses[(loaded + i) % courses.length];
      const text = sentence(80);
      return {
        id: newId(),
        documentId: courseDocs.get(course.courseId)!,
        ...course,
        generation: 1,
        ordinal: loaded + i,
        pageStart: 1,
        pageEnd: 1,
        text,
        searchText: normalizeForSearch(text),
        termCount: 80,
      };
    });
    await database.db.insert(documentChunks).values(rows);
    await store.upsert(rows.map((r) => ({
      id: r.id,
      vector: clusteredVector(),
      payload: { ...r, page: 1, generation: 1 },
    })));
    loaded += batch;
  }
  await database.db.execute(sql`analyze`);
  console.log(`loaded ${size} chunks (${((performance.now() - started) / 1000).toFixed(0)} s for this step)`);

  const fixed: Embedder = { ...offline, embed: (t) => Promise.resolve(t.map(() => clusteredVector())) };
  const deps = { database, vectorStore: store, embedder: fixed };
  const measure = async (name: string, run: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < 10; i++) await run(i); // warm caches
    const times: number[] = [];
    for (let i = 0; i < queries; i++) {
      const t = performance.now();
      await run(i);
      times.push(performance.now() - t);
    }
    console.log(
      `  ${size} chunks, ${name}: p50 ${percentile(times, 0.5).toFixed(1)} ms, p95 ${
        percentile(times, 0.95).toFixed(1)
      } ms`,
    );
  };
  await measure(
    "vector query, one course",
    (i) => store.query(clusteredVector(), { scope: { courseIds: [courses[i % 100].courseId] }, limit: 50 }),
  );
  await measure(
    "vector query, one faculty (10% of chunks)",
    (i) => store.query(clusteredVector(), { scope: { facultyId: faculties[i % 10] }, limit: 50 }),
  );
  await measure(
    "hybrid search (keywords + vectors + chunk read), one course",
    (i) =>
      hybridSearch(deps, { scope: { courseIds: [courses[i % 100].courseId] }, query: sentence(6), k: 8 }),
  );
}
await database.close();
