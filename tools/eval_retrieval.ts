/**
 * `deno task eval:retrieval`: retrieval quality on XQuAD (English, Arabic) and ARCD (Arabic), through the real
 * chunk writer and hybrid search on the embedded default (PGlite + pgvector + offline embedder). Each paragraph is
 * a chunk of a document (one document per article, all in one course per set); each question is a query whose
 * right answer is its own paragraph. Prints recall@1/5/10 per set, hybrid and each side alone.
 *
 * Flags: `--data DIR` (default: the first `shared/data` found from `../shared/data` upwards), `--limit N` questions
 * per set, `--sets en,ar,arcd`, `--candidate-budget ROWS,SHARE`, `--sweep` (also prints recall@1/5 over a grid of fusion weights, fused offline from
 * each side's ranking).
 */
import { sql } from "drizzle-orm";
import { fullTextSearch } from "../core/rag/full_text.ts";
import { type FusionOptions, hybridSearch, type RetrievalDeps } from "../core/rag/search.ts";
import { isMostlyArabic, searchTerms } from "../shared/text/normalize.ts";
import { openPglite, queryRows } from "../shared/db/client.ts";
import { documents } from "../shared/db/schema/rag.ts";
import { migrateDatabase } from "../shared/db/migrate.ts";
import { newId } from "../shared/ids.ts";
import { replaceDocumentChunks } from "../shared/rag/chunk_writer.ts";
import type { Embedder } from "../shared/rag/embedder/interface.ts";
import { createOfflineEmbedder } from "../shared/rag/embedder/offline.ts";
import { createPgvectorStore } from "../shared/rag/vector/pgvector.ts";

type Squad = {
  data: { title: string; paragraphs: { context: string; qas: { question: string }[] }[] }[];
};

const SETS: Record<string, string> = {
  en: "xquad/xquad.en.json",
  ar: "xquad/xquad.ar.json",
  arcd: "arcd/arcd-train.json",
};

function flag(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

/** Finds `shared/data`: the flag, else `../shared/data`, else the nearest ancestor holding `shared/data`. */
function findDataDir(): string | undefined {
  const given = flag("data");
  if (given) return given;
  let dir = Deno.cwd();
  for (let i = 0; i < 6; i++) {
    const candidate = `${dir}/../shared/data`;
    try {
      if (Deno.statSync(candidate).isDirectory) return candidate;
    } catch { /* keep looking */ }
    dir = `${dir}/..`;
  }
  return undefined;
}

/** Remembers query vectors so the side-by-side variants embed each question once. */
function memoized(embedder: Embedder): Embedder {
  const cache = new Map<string, number[]>();
  return {
    ...embedder,
    async embed(texts) {
      const missing = texts.filter((t) => !cache.has(t));
      if (missing.length) {
        const vectors = await embedder.embed(missing);
        missing.forEach((t, i) => cache.set(t, vectors[i]));
      }
      return texts.map((t) => cache.get(t)!);
    },
  };
}

const dataDir = findDataDir();
if (!dataDir) {
  console.error(
    "eval:retrieval needs the evaluation data in ../shared/data (xquad/, arcd/), which is absent here.\n" +
      "Pass --data DIR to point at a copy.",
  );
  Deno.exit(2);
}
const limit = Number(flag("limit") ?? Infinity);
const setNames = (flag("sets") ?? "en,ar,arcd").split(",");

const database = await openPglite("memory://");
await migrateDatabase(database);
const embedder = memoized(createOfflineEmbedder());
const vectorStore = createPgvectorStore(database, { dimensions: embedder.dimensions });
await vectorStore.ensureSchema();
const deps: RetrievalDeps = { database, vectorStore, embedder };

// `--candidate-budget ROWS,SHARE` overrides the keyword side's candidate budget: the sets are small enough that the
// default minimum of 400 rows never cuts a query here, so `0,0.2` shows what the share alone costs.
const budgetFlag = flag("candidate-budget")?.split(",").map(Number);
const budget: Partial<FusionOptions> = budgetFlag
  ? { candidateBudget: { rows: budgetFlag[0], share: budgetFlag[1] ?? 0 } }
  : {};
const variants: Record<string, Partial<FusionOptions>> = {
  hybrid: { ...budget },
  keywords: { ...budget, vectorWeight: 0 },
  vectors: { ...budget, textWeight: 0 },
};

console.log(`data: ${dataDir}`);
for (const name of setNames) {
  const squad = JSON.parse(await Deno.readTextFile(`${dataDir}/${SETS[name]}`)) as Squad;
  const courseId = newId();
  const facultyId = newId();
  const questions: { query: string; documentId: string; ordinal: number }[] = [];
  const started = performance.now();
  let chunkCount = 0;
  for (const article of squad.data) {
    const [doc] = await database.db.insert(documents).values({
      courseId,
      facultyId,
      title: article.title,
      fileName: `${article.title}.txt`,
      mime: "text/plain",
      sizeBytes: 0,
      status: "processing",
    }).returning();
    const chunks = article.paragraphs.map((p, ordinal) => ({
      ordinal,
      text: p.context,
      pageStart: null,
      pageEnd: null,
    }));
    await replaceDocumentChunks(database, vectorStore, embedder, { document: doc, chunks });
    chunkCount += chunks.length;
    article.paragraphs.forEach((p, ordinal) => {
      for (const qa of p.qas) questions.push({ query: qa.question, documentId: doc.id, ordinal });
    });
  }
  const ingestSeconds = (performance.now() - started) / 1000;
  const rows = await queryRows<{ id: string; document_id: string; ordinal: number }>(
    database.db,
    sql`select c.id, c.document_id, c.ordinal from document_chunks c where c.course_id = ${courseId}::uuid`,
  );
  const chunkOf = new Map(rows.map((r) => [`${r.document_id}/${r.ordinal}`, r.id]));
  const sample = questions.slice(0, Math.min(limit, questions.length));

  const searchStarted = performance.now();
  const lines: string[] = [];
  const arabicSet = isMostlyArabic(sample.map((q) => q.query).join(" "));
  for (const [variant, options] of Object.entries(variants)) {
    if (arabicSet && embedder.englishOnly && variant !== "hybrid") {
      lines.push(
        `  ${variant.padEnd(9)} (same as hybrid: the English-only embedder leaves Arabic to keywords)`,
      );
      continue;
    }
    const hits = { 1: 0, 5: 0, 10: 0 };
    for (const q of sample) {
      const { results } = await hybridSearch(deps, {
        scope: { courseIds: [courseId] },
        query: q.query,
        k: 10,
      }, options);
      const rank = results.findIndex((r) => r.chunkId === chunkOf.get(`${q.documentId}/${q.ordinal}`));
      if (rank === 0) hits[1]++;
      if (rank >= 0 && rank < 5) hits[5]++;
      if (rank >= 0 && rank < 10) hits[10]++;
    }
    const r = (n: number) => (n / sample.length).toFixed(3);
    lines.push(
      `  ${variant.padEnd(9)} recall@1 ${r(hits[1])}  recall@5 ${r(hits[5])}  recall@10 ${r(hits[10])}`,
    );
  }
  console.log(
    `${name}: ${chunkCount} chunks in ${squad.data.length} documents (ingested in ${
      ingestSeconds.toFixed(1)
    } s), ` +
      `${sample.length} questions (searched in ${((performance.now() - searchStarted) / 1000).toFixed(1)} s)`,
  );
  for (const line of lines) console.log(line);
  if (Deno.args.includes("--sweep")) await sweep(sample, courseId, chunkOf);
}
await database.close();

/** Recall of weighted RRF over a grid, from each side's top 50 computed once per question. */
async function sweep(
  sample: { query: string; documentId: string; ordinal: number }[],
  courseId: string,
  chunkOf: Map<string, string>,
): Promise<void> {
  const lists: { want: string; text: string[]; vector: string[] }[] = [];
  for (const q of sample) {
    const scope = { courseIds: [courseId] };
    const text = await fullTextSearch(database.read, { scope, terms: searchTerms(q.query), limit: 50 });
    const vector = isMostlyArabic(q.query)
      ? []
      : await vectorStore.query((await embedder.embed([q.query]))[0], { scope, limit: 50 });
    lists.push({
      want: chunkOf.get(`${q.documentId}/${q.ordinal}`)!,
      text: text.map((h) => h.id),
      vector: vector.map((h) => h.id),
    });
  }
  for (const rrfK of [5, 20, 60]) {
    for (const vectorWeight of [0, 0.3, 0.5, 0.7, 1]) {
      let r1 = 0, r5 = 0;
      for (const l of lists) {
        const fused = new Map<string, number>();
        l.text.forEach((id, i) => fused.set(id, (fused.get(id) ?? 0) + 1 / (rrfK + i + 1)));
        l.vector.forEach((id, i) => fused.set(id, (fused.get(id) ?? 0) + vectorWeight / (rrfK + i + 1)));
        const rank = [...fused.entries()].sort((a, b) => b[1] - a[1]).findIndex(([id]) => id === l.want);
        if (rank === 0) r1++;
        if (rank >= 0 && rank < 5) r5++;
      }
      console.log(
        `  sweep rrfK=${rrfK} vectorWeight=${vectorWeight}: recall@1 ${(r1 / lists.length).toFixed(3)} ` +
          `recall@5 ${(r5 / lists.length).toFixed(3)}`,
      );
    }
  }
}
