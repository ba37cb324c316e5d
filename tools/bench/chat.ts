/**
 * `deno task bench:chat`: chat overhead per question with the offline tutor on the embedded default (PGlite +
 * pgvector), through `app.request()`: scope and quota checks, storing the question, hybrid retrieval in a course of
 * 10k chunks, the tutor pipeline (prompt, extractive answer, groundedness), storing the answer and the audit event.
 * The query vector is precomputed (as in `bench:search`): the offline embedder's own time is printed once, apart,
 * and no remote model is involved.
 *
 * Corpus: the 60 XQuAD fixture paragraphs (real text the questions are about) plus synthetic chunks of Zipf-like
 * words generated in SQL, all in one course; random 512-d vectors; the HNSW index built after the bulk load.
 * Flags: `--chunks 10000`, `--queries 200`.
 */
import { createAcademicWorld } from "../../core/academics/testing.ts";
import { createDocumentServices } from "../../shared/documents/services.ts";
import { testCoreEnv } from "../../core/auth/testing.ts";
import { createTestCore } from "../../core/testing.ts";
import { loadXquadFixture } from "../../shared/tutor/testing/xquad.ts";
import { HybridRetriever } from "../../shared/tutor/retriever/hybrid.ts";
import { openPglite, sql } from "../../shared/db/client.ts";
import { migrateDatabase } from "../../shared/db/migrate.ts";
import { documents } from "../../shared/db/schema/rag.ts";
import type { Embedder } from "../../shared/rag/embedder/interface.ts";
import { createOfflineEmbedder } from "../../shared/rag/embedder/offline.ts";
import { createPgvectorStore } from "../../shared/rag/vector/pgvector.ts";
import { searchTerms } from "../../shared/text/normalize.ts";
import type { memoryLogger } from "../../shared/logger.ts";
import { indexLiveDocumentTerms } from "../../shared/rag/chunk_writer.ts";

function flag(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

/** This process's CPU seconds (user + system) from /proc, which other processes' load does not inflate. */
function cpuSeconds(): number {
  const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function percentile(values: number[], p: number): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const CHUNKS = Number(flag("chunks") ?? 10_000);
const QUERIES = Number(flag("queries") ?? 200);
const DIMS = 512;

const database = await openPglite("memory://");
await migrateDatabase(database);
const world = await createAcademicWorld(database);
const offline = createOfflineEmbedder();
const store = createPgvectorStore(database, { dimensions: DIMS, table: "chunk_vectors", efSearch: 100 });
await store.ensureSchema();

const started = performance.now();
const [doc] = await database.db.insert(documents).values({
  courseId: world.courseA,
  facultyId: world.facultyA,
  semesterId: world.semesterA,
  title: "Course reader",
  fileName: "reader.pdf",
  mime: "application/pdf",
  sizeBytes: 0,
  status: "ready",
  chunkGeneration: 1,
}).returning();
const fixture = loadXquadFixture();
for (const [i, p] of fixture.paragraphs.entries()) {
  const terms = searchTerms(p.en);
  await database.db.execute(sql`
    insert into document_chunks (document_id, course_id, faculty_id, semester_id, generation, ordinal, page_start,
      page_end, text, search_text, term_count)
    values (${doc.id}::uuid, ${world.courseA}::uuid, ${world.facultyA}::uuid, ${world.semesterA}::uuid, 1, ${i},
      ${i + 1}, ${i + 1}, ${p.en}, ${terms.join(" ")}, ${terms.length})`);
}
const synthetic = CHUNKS - fixture.paragraphs.length;
for (let loaded = 0; loaded < synthetic; loaded += 5000) {
  const batch = Math.min(5000, synthetic - loaded);
  await database.db.execute(sql`
    insert into document_chunks (document_id, course_id, faculty_id, semester_id, generation, ordinal, page_start,
      page_end, text, search_text, term_count)
    select ${doc.id}::uuid, ${world.courseA}::uuid, ${world.facultyA}::uuid, ${world.semesterA}::uuid, 1, g,
      g / 3 + 1, g / 3 + 1, t.words, t.words, 80
    from generate_series(${1000 + loaded}::int, ${1000 + loaded + batch - 1}::int) g
    cross join lateral (
      select string_agg('w' || floor(20000 * power(random(), 3))::int || 'x', ' ') as words
      from generate_series(1, 80) w where g >= 0
    ) t`);
}
await database.db.execute(sql`drop index if exists chunk_vectors_hnsw_idx`);
await database.db.execute(sql`
  insert into chunk_vectors (id, document_id, course_id, faculty_id, semester_id, page, generation, embedding)
  select c.id, c.document_id, c.course_id, c.faculty_id, c.semester_id, c.page_start, 1,
    (select array_agg(random() - 0.5) from generate_series(1, ${DIMS}::int) i where c.ordinal >= 0)::vector
  from document_chunks c where c.document_id = ${doc.id}::uuid`);
await database.db.execute(
  sql`create index if not exists chunk_vectors_hnsw_idx on chunk_vectors using hnsw (embedding vector_cosine_ops)`,
);
await indexLiveDocumentTerms(database, doc.id);
await database.db.execute(sql`analyze`);
console.log(
  `loaded ${CHUNKS} chunks in one course in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);

const t0 = performance.now();
await offline.embed(["warm up the model"]);
const loadMs = performance.now() - t0;
const t1 = performance.now();
await offline.embed(["Which team won the game?"]);
console.log(
  `offline embedder (not in the figures below): model load ${loadMs.toFixed(0)} ms, one query ${
    (performance.now() - t1).toFixed(1)
  } ms`,
);

// A fixed random query vector: the figures are the store's, database's and tutor's, not the embedder's.
const fixed: Embedder = {
  ...offline,
  embed: (texts) => Promise.resolve(texts.map(() => Array.from({ length: DIMS }, () => Math.random() - 0.5))),
};
const coreEnv = { CHAT_DAILY_QUOTA_STUDENT: "0", LOG_LEVEL: "error" };
const core = createTestCore(database, coreEnv, {
  documents: createDocumentServices(testCoreEnv(coreEnv), database, { embedder: fixed, vectorStore: store }),
});
const student = core.asUser(world.studentEnrolled);
const created = await student.request("POST", "/v1/chat/sessions", { courseId: world.courseA });
const { id: sessionId } = await created.json();
const questions = fixture.paragraphs.flatMap((p) => p.questions.map((q) => q.en));

// Each question in its own session turn; the history grows, as in a real session (the offline tutor ignores it).
const times: number[] = [];
let answered = 0;
let cpuStart = 0;
for (let i = 0; i < QUERIES + 10; i++) {
  const t = performance.now();
  const res = await student.request("POST", `/v1/chat/sessions/${sessionId}/messages`, {
    content: questions[i % questions.length],
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`Chat answered ${res.status}: ${JSON.stringify(body)}`);
  if (i === 9) cpuStart = cpuSeconds();
  if (i >= 10) {
    times.push(performance.now() - t);
    if (body.message.refusal === null) answered++;
  }
}
console.log(
  `chat turn overhead, offline tutor, ${CHUNKS}-chunk course, ${QUERIES} questions: p50 ${
    percentile(times, 0.5).toFixed(1)
  } ms, p95 ${percentile(times, 0.95).toFixed(1)} ms (answered ${answered}/${QUERIES}); CPU time per turn ${
    ((cpuSeconds() - cpuStart) * 1000 / QUERIES).toFixed(1)
  } ms (load average ${Deno.loadavg()[0].toFixed(1)} on ${navigator.hardwareConcurrency} cores)`,
);

// The tutor's own steps, from its step log lines (what the rest of a turn spends is the route, the two
// transactions and the audit).
const stepTimes = new Map<string, number[]>();
for (const line of (core.services.logger as ReturnType<typeof memoryLogger>).lines) {
  if (line.msg !== "tutor step") continue;
  const step = String(line.step);
  stepTimes.set(step, [...stepTimes.get(step) ?? [], Number(line.durationMs)]);
}
console.log(
  `  tutor steps (p50 / p95 ms): ${
    [...stepTimes].map(([step, t]) =>
      `${step} ${percentile(t, 0.5).toFixed(1)} / ${percentile(t, 0.95).toFixed(1)}`
    ).join(", ")
  }`,
);

// The retrieval part alone, for the breakdown.
const retriever = new HybridRetriever({ database, vectorStore: store, embedder: fixed });
const retrievalTimes: number[] = [];
for (let i = 0; i < QUERIES; i++) {
  const t = performance.now();
  await retriever.retrieve({
    scope: { courseId: world.courseA },
    query: questions[i % questions.length],
    k: 6,
    language: "en",
  });
  retrievalTimes.push(performance.now() - t);
}
console.log(
  `  of which hybrid retrieval alone: p50 ${percentile(retrievalTimes, 0.5).toFixed(1)} ms, p95 ${
    percentile(retrievalTimes, 0.95).toFixed(1)
  } ms`,
);
await database.close();
