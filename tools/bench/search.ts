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
 * Flags: `--sizes 10000,100000` (`--sizes 0` skips the search part), `--queries 200`, `--skip-ingest`, `--data DIR`,
 * `--hnsw-up-to N` (build the HNSW index only up to N chunks; the 100k build takes ~2 minutes on PGlite).
 */
import { fullTextSearch } from "../../shared/rag/full_text.ts";
import type { RerankWeights } from "../../shared/rag/fusion.ts";
import { hybridSearch } from "../../shared/rag/search.ts";
import { searchTerms } from "../../shared/text/normalize.ts";
import { openPglite, sql } from "../../shared/db/client.ts";
import { documents } from "../../shared/db/schema/rag.ts";
import { migrateDatabase } from "../../shared/db/migrate.ts";
import { newId } from "../../shared/ids.ts";
import { indexLiveDocumentTerms, replaceDocumentChunks } from "../../shared/rag/chunk_writer.ts";
import type { Embedder } from "../../shared/rag/embedder/interface.ts";
import { createOfflineEmbedder } from "../../shared/rag/embedder/offline.ts";
import { createPgvectorStore } from "../../shared/rag/vector/pgvector.ts";

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

type Rate = { wall: number; cpu: number };

/** This process's CPU seconds (user + system) from /proc, which other processes' load does not inflate. */
function cpuSeconds(): number {
  const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Items per second of wall clock and of CPU time for one run. */
async function rate(items: number, run: () => Promise<void>): Promise<Rate> {
  const wall = performance.now();
  const cpu = cpuSeconds();
  await run();
  return {
    wall: items / ((performance.now() - wall) / 1000),
    cpu: items / Math.max(0.01, cpuSeconds() - cpu),
  };
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
  const raw: Rate[] = [];
  const writer: Rate[] = [];
  // Interleaved rounds: other processes' load on a shared machine hits both sides alike.
  for (let round = 0; round < 3; round++) {
    raw.push(
      await rate(texts.length, async () => {
        for (let i = 0; i < texts.length; i += offline.batchSize) {
          await offline.embed(texts.slice(i, i + offline.batchSize));
        }
      }),
    );
    const course = { courseId: newId(), facultyId: newId(), semesterId: newId() };
    const [doc] = await database.db.insert(documents).values({
      ...course,
      title: "bench",
      fileName: "bench.txt",
      mime: "text/plain",
      sizeBytes: 0,
    }).returning();
    const chunks = texts.map((text, ordinal) => ({
      ordinal,
      text,
      pageStart: 1 + (ordinal >> 2),
      pageEnd: 1 + (ordinal >> 2),
    }));
    writer.push(
      await rate(
        texts.length,
        () =>
          replaceDocumentChunks(database, store, offline, { document: doc, chunks })
            .then(() => {}),
      ),
    );
  }
  const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
  const wallRaw = median(raw.map((r) => r.wall)), wallWriter = median(writer.map((r) => r.wall));
  const cpuRaw = median(raw.map((r) => r.cpu)), cpuWriter = median(writer.map((r) => r.cpu));
  console.log(
    `ingestion (${texts.length} English paragraphs, median of 3 interleaved rounds):\n` +
      `  wall clock: raw embedder ${wallRaw.toFixed(2)} chunks/s, chunk writer ${
        wallWriter.toFixed(2)
      } chunks/s, ` +
      `ratio ${(wallWriter / wallRaw).toFixed(3)}\n` +
      `  CPU time:   raw embedder ${cpuRaw.toFixed(2)} chunks/CPU-s, chunk writer ${cpuWriter.toFixed(2)} ` +
      `chunks/CPU-s, ratio ${(cpuWriter / cpuRaw).toFixed(3)}`,
  );
  const started = performance.now();
  for (let i = 0; i < 20; i++) await offline.embed([`what did the panthers defense do in game ${i}?`]);
  console.log(
    `query embedding (offline model): ${((performance.now() - started) / 20).toFixed(1)} ms per query`,
  );
}

// Synthetic corpus, generated inside the database (parsing 100k vector literals in WASM would take longer than
// the measurement): clustered unit vectors, like topics in real text, and Zipf-like words that normalise to
// themselves. The HNSW index is built after each bulk load, as one would for a large import.
const random = rng(42);
const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
const CLUSTERS = 256;
const centroids = Array.from({ length: CLUSTERS }, () => Array.from({ length: DIMS }, gauss));
function clusteredVector(): number[] {
  const c = centroids[Math.floor(random() * CLUSTERS)];
  const v = c.map((x) => x + gauss() * 0.8);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
const word = () => `w${Math.floor(20_000 * Math.pow(random(), 3))}x`;
const sentence = (n: number) => Array.from({ length: n }, word).join(" ");

await database.db.execute(sql`create temporary table bench_centroids (n integer primary key, c real[])`);
for (let i = 0; i < CLUSTERS; i++) {
  await database.db.execute(
    sql`insert into bench_centroids values (${i}, ${`{${centroids[i].join(",")}}`}::real[])`,
  );
}

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
await database.db.execute(sql`create temporary table bench_courses (n integer primary key, course_id uuid,
  faculty_id uuid, document_id uuid)`);
for (const [i, c] of courses.entries()) {
  await database.db.execute(
    sql`insert into bench_courses values (${i}, ${c.courseId}::uuid, ${c.facultyId}::uuid,
    ${courseDocs.get(c.courseId)}::uuid)`,
  );
}

const sizes = (flag("sizes") ?? "10000,100000").split(",").map(Number).filter((n) => n > 0);
const queries = Number(flag("queries") ?? 200);
const hnswUpTo = Number(flag("hnsw-up-to") ?? Infinity);
let loaded = 0;
for (const size of sizes) {
  let started = performance.now();
  await database.db.execute(sql`drop index if exists chunk_vectors_hnsw_idx`);
  while (loaded < size) {
    const batch = Math.min(5000, size - loaded);
    await database.db.execute(sql`
      insert into document_chunks (id, document_id, course_id, faculty_id, generation, ordinal, page_start, page_end,
        text, search_text, term_count)
      select gen_random_uuid(), b.document_id, b.course_id, b.faculty_id, 1, g, 1, 1, t.words, t.words, 80
      from generate_series(${loaded}::int, ${loaded + batch - 1}::int) g
      join bench_courses b on b.n = g % 100
      cross join lateral (
        select string_agg('w' || floor(20000 * power(random(), 3))::int || 'x', ' ') as words
        from generate_series(1, 80) w where g >= 0
      ) t`);
    // Cosine ignores length, so the centroid-plus-noise vectors need no normalising.
    await database.db.execute(sql`
      insert into chunk_vectors (id, document_id, course_id, faculty_id, page, generation, embedding)
      select c.id, c.document_id, c.course_id, c.faculty_id, 1, 1,
        (select array_agg(bc.c[i] + (random() - 0.5) * 2.8 order by i)
         from bench_centroids bc, generate_series(1, ${DIMS}::int) i
         where bc.n = c.ordinal % ${CLUSTERS})::vector
      from document_chunks c
      where c.ordinal >= ${loaded} and c.ordinal < ${loaded + batch}
        and c.document_id in (select document_id from bench_courses)`);
    loaded += batch;
  }
  for (const documentId of courseDocs.values()) await indexLiveDocumentTerms(database, documentId);
  console.log(`loaded ${size} chunks in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  started = performance.now();
  await database.db.execute(sql`analyze`);
  const measureAll = async (label: string) => {
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
        `  ${size} chunks, ${label}, ${name}: p50 ${percentile(times, 0.5).toFixed(1)} ms, p95 ${
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
      "keyword side alone (BM25), one course",
      (i) =>
        fullTextSearch(database.read, {
          scope: { courseIds: [courses[i % 100].courseId] },
          terms: searchTerms(sentence(6)),
          limit: 50,
        }),
    );
    // With and without the head rerank (phrase, window and Arabic trigram evidence), query by query in turn (the
    // same queries), so the machine's load weighs on both alike: the difference is what reading `search_text` and
    // scoring the head costs.
    const hybridQueries = Array.from({ length: queries + 10 }, () => sentence(6));
    const hybrid = (i: number, options: Partial<RerankWeights>) =>
      hybridSearch(
        deps,
        { scope: { courseIds: [courses[i % 100].courseId] }, query: hybridQueries[i], k: 8 },
        options,
      );
    const withPhrases: number[] = [];
    const withoutPhrases: number[] = [];
    for (let i = 0; i < queries + 10; i++) {
      // The second search of a query finds its posting lists cached: each variant goes first every other query.
      const pair = [[withPhrases, {}], [withoutPhrases, {
        proximityWeight: 0,
        windowWeight: 0,
        trigramWeight: 0,
      }]] as const;
      for (const [times, options] of i % 2 === 0 ? pair : pair.toReversed()) {
        const t = performance.now();
        await hybrid(i, options);
        if (i >= 10) times.push(performance.now() - t); // the first 10 warm caches
      }
    }
    for (
      const [name, times] of [["", withPhrases], [" without the head rerank", withoutPhrases]] as const
    ) {
      console.log(
        `  ${size} chunks, ${label}, hybrid search (keywords + vectors + chunk read)${name}, one course: p50 ${
          percentile(times, 0.5).toFixed(1)
        } ms, p95 ${percentile(times, 0.95).toFixed(1)} ms`,
      );
    }
  };
  await measureAll("exact scoped scans (no HNSW)");
  if (size > hnswUpTo) {
    console.log(`  (no HNSW index built at ${size} chunks: --hnsw-up-to ${hnswUpTo})`);
    continue;
  }
  started = performance.now();
  // The graph must fit in memory for a fast build (100k × 512-d is ~200 MB; the default is 64 MB).
  await database.db.execute(sql.raw(`set maintenance_work_mem = '1GB'`));
  await database.db.execute(sql.raw(`create index chunk_vectors_hnsw_idx on chunk_vectors
    using hnsw (embedding vector_cosine_ops)`));
  console.log(
    `built the HNSW index over ${size} vectors in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  await database.db.execute(sql`analyze`);
  await measureAll("with HNSW");
}
await database.close();
