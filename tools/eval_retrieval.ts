/**
 * `deno task eval:retrieval`: retrieval quality through the real chunk writer, keyword search and vector store on
 * the embedded default (PGlite + pgvector + offline embedder). Each paragraph is a chunk of a document (one document
 * per article); each question is a query whose right answer is its own paragraph.
 *
 * Development sets (from `shared/data`): every paragraph of XQuAD English, XQuAD Arabic and ARCD train sits in ONE
 * course, so each set's paragraphs are distractors for the others. Question sets: `en`, `ar`, `arcd`, and `en-hard`,
 * `ar-hard` (each question without the word of its paragraph that is rarest in the course: a crude paraphrase that
 * takes away the easiest keyword). Every set is split by article into halves A (tune on these) and B (check).
 *
 * Speed: vectors are cached on disk (`.data/eval-cache/`, keyed by model and text) and computed in large batches;
 * each question runs each side once (50 candidates with scores) and every fusion variant is replayed in memory with
 * the functions `hybridSearch` uses (a sample is checked against `hybridSearch` itself).
 *
 * Flags: `--data DIR`, `--sets en,ar,arcd,en-hard,ar-hard`, `--limit N` (questions per set), `--file PATH` (a
 * SQuAD-format file evaluated in a course of its own, e.g. SQuAD v1.1 dev; repeatable), `--sweep` (grid of fusion
 * settings on the A halves), `--candidate-budget ROWS,SHARE`, `--no-cache`.
 */
import { sql } from "drizzle-orm";
import { fullTextSearch } from "../shared/rag/full_text.ts";
import { fuseRankings, type FusionWeights, rerankByPhrases, type ScoredId } from "../shared/rag/fusion.ts";
import { DEFAULT_FUSION, hybridSearch, type RetrievalDeps } from "../shared/rag/search.ts";
import { isMostlyArabic } from "../shared/text/fold.ts";
import { keywordTerms, searchTerms } from "../shared/text/normalize.ts";
import { openPglite, queryRows } from "../shared/db/client.ts";
import { documents } from "../shared/db/schema/rag.ts";
import { migrateDatabase } from "../shared/db/migrate.ts";
import { newId } from "../shared/ids.ts";
import { replaceDocumentChunks } from "../shared/rag/chunk_writer.ts";
import { createOfflineEmbedder } from "../shared/rag/embedder/offline.ts";
import { diskCachedEmbedder, findDataDir } from "./eval/common.ts";
import { createPgvectorStore } from "../shared/rag/vector/pgvector.ts";

type Squad = {
  data: { title: string; paragraphs: { context: string; qas: { question: string }[] }[] }[];
};

const FILES: Record<string, string> = {
  en: "xquad/xquad.en.json",
  ar: "xquad/xquad.ar.json",
  arcd: "arcd/arcd-train.json",
};

function flag(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

function flags(name: string): string[] {
  return Deno.args.flatMap((a, i) => a === `--${name}` && Deno.args[i + 1] ? [Deno.args[i + 1]] : []);
}

/** One question with its right chunk, set and half. */
interface Question {
  set: string;
  half: "A" | "B";
  query: string;
  want: string;
}

/** Both sides' candidates for one question, computed once. */
interface SideLists {
  q: Question;
  terms: string[];
  text: ScoredId[];
  vector: ScoredId[];
}

const dataDir = findDataDir(flag("data"));
if (!dataDir) {
  console.error(
    "eval:retrieval needs the evaluation data in ../shared/data (xquad/, arcd/), which is absent here.\n" +
      "Pass --data DIR to point at a copy.",
  );
  Deno.exit(2);
}
const limit = Number(flag("limit") ?? Infinity);
const setNames = (flag("sets") ?? "en,en-hard,ar,ar-hard,arcd").split(",");
const extraFiles = flags("file");
const budgetFlag = flag("candidate-budget")?.split(",").map(Number);
const candidateBudget = budgetFlag ? { rows: budgetFlag[0], share: budgetFlag[1] ?? 0 } : undefined;

const started = performance.now();
const database = await openPglite("memory://");
await migrateDatabase(database);
const embedder = await diskCachedEmbedder(createOfflineEmbedder(), !Deno.args.includes("--no-cache"));
const vectorStore = createPgvectorStore(database, { dimensions: embedder.dimensions });
await vectorStore.ensureSchema();
const deps: RetrievalDeps = { database, vectorStore, embedder };
const chunkTerms = new Map<string, string[]>();

/** Writes a SQuAD file's articles as documents of a course; returns chunk ids by article and paragraph. */
async function ingest(squad: Squad, courseId: string, facultyId: string): Promise<string[][]> {
  const texts = squad.data.flatMap((a) => a.paragraphs.map((p) => p.context));
  await embedder.warm(texts.filter((t) => !isMostlyArabic(t)));
  const ids: string[][] = [];
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
    const rows = await queryRows<{ id: string; ordinal: number; search_text: string }>(
      database.db,
      sql`select c.id, c.ordinal, c.search_text from document_chunks c join documents d on d.id = c.document_id
          where c.document_id = ${doc.id}::uuid and c.generation = d.chunk_generation order by c.ordinal`,
    );
    for (const r of rows) chunkTerms.set(r.id, r.search_text.split(" "));
    ids.push(rows.map((r) => r.id));
  }
  return ids;
}

/** The question without its paragraph's rarest (in the course) word: the easiest keyword taken away. */
function withoutRarestWord(question: string, paragraphTerms: Set<string>, df: Map<string, number>): string {
  const words = question.split(/(\s+)/);
  let best = -1;
  let bestDf = Infinity;
  words.forEach((w, i) => {
    const [term] = searchTerms(w);
    if (term && paragraphTerms.has(term) && (df.get(term) ?? 0) < bestDf) {
      best = i;
      bestDf = df.get(term) ?? 0;
    }
  });
  return best < 0 ? question : words.filter((_, i) => i !== best).join("");
}

const questions: Question[] = [];
const courses: { courseId: string; sets: string[] }[] = [];
const devSets = setNames.filter((s) => s);
if (devSets.length) {
  const courseId = newId();
  const facultyId = newId();
  courses.push({ courseId, sets: devSets });
  const files = [...new Set(devSets.map((s) => s.replace("-hard", "")))];
  const loaded = new Map<string, { squad: Squad; ids: string[][] }>();
  for (const name of files) {
    const squad = JSON.parse(await Deno.readTextFile(`${dataDir}/${FILES[name]}`)) as Squad;
    loaded.set(name, { squad, ids: await ingest(squad, courseId, facultyId) });
  }
  const df = new Map<string, number>();
  for (const terms of chunkTerms.values()) for (const t of new Set(terms)) df.set(t, (df.get(t) ?? 0) + 1);
  for (const set of devSets) {
    const { squad, ids } = loaded.get(set.replace("-hard", ""))!;
    const hard = set.endsWith("-hard");
    const picked: Question[] = [];
    squad.data.forEach((article, a) =>
      article.paragraphs.forEach((p, i) => {
        const want = ids[a][i];
        const terms = new Set(chunkTerms.get(want));
        for (const qa of p.qas) {
          const query = hard ? withoutRarestWord(qa.question, terms, df) : qa.question;
          picked.push({ set, half: a % 2 === 0 ? "A" : "B", query, want });
        }
      })
    );
    questions.push(...picked.slice(0, Math.min(limit, picked.length)));
  }
}
for (const path of extraFiles) {
  const squad = JSON.parse(await Deno.readTextFile(path)) as Squad;
  const courseId = newId();
  const set = path.split("/").pop()!.replace(/\.json$/, "");
  courses.push({ courseId, sets: [set] });
  const ids = await ingest(squad, courseId, newId());
  const picked: Question[] = [];
  squad.data.forEach((article, a) =>
    article.paragraphs.forEach((p, i) => {
      for (const qa of p.qas) {
        picked.push({ set, half: a % 2 === 0 ? "A" : "B", query: qa.question, want: ids[a][i] });
      }
    })
  );
  questions.push(...picked.slice(0, Math.min(limit, picked.length)));
}
const ingestSeconds = (performance.now() - started) / 1000;

const searchStarted = performance.now();
await embedder.warm(questions.map((q) => q.query).filter((t) => !isMostlyArabic(t)));
const courseOf = new Map(courses.flatMap((c) => c.sets.map((s) => [s, c.courseId])));
const lists: SideLists[] = [];
for (const q of questions) {
  const scope = { courseIds: [courseOf.get(q.set)!] };
  const terms = keywordTerms(q.query);
  const text = await fullTextSearch(database.read, {
    scope,
    terms,
    limit: DEFAULT_FUSION.candidates,
    candidateBudget,
  });
  const vector = embedder.englishOnly && isMostlyArabic(q.query)
    ? []
    : await vectorStore.query((await embedder.embed([q.query]))[0], {
      scope,
      limit: DEFAULT_FUSION.candidates,
    });
  lists.push({ q, terms, text, vector: vector.map((h) => ({ id: h.id, score: h.score })) });
}
await embedder.save();
const searchSeconds = (performance.now() - searchStarted) / 1000;

/** Rank (0-based, -1 when absent) of the right chunk under some fusion settings. */
function rankOf(l: SideLists, w: FusionWeights): number {
  const fused = fuseRankings(l.text, l.vector, w);
  const ranked = rerankByPhrases(fused, l.terms, (id) => chunkTerms.get(id), w);
  return ranked.findIndex(([id]) => id === l.q.want);
}

type Recall = { n: number; r1: number; r5: number; r10: number };
function recall(subset: SideLists[], w: FusionWeights): Recall {
  const out = { n: subset.length, r1: 0, r5: 0, r10: 0 };
  for (const l of subset) {
    const rank = rankOf(l, w);
    if (rank === 0) out.r1++;
    if (rank >= 0 && rank < 5) out.r5++;
    if (rank >= 0 && rank < 10) out.r10++;
  }
  return {
    n: out.n,
    r1: out.r1 / Math.max(1, out.n),
    r5: out.r5 / Math.max(1, out.n),
    r10: out.r10 / Math.max(1, out.n),
  };
}
const f = (x: number) => x.toFixed(3);

/** The fusion before score-aware fusion and phrase evidence, kept for comparison. */
const RRF_BEFORE: FusionWeights = {
  method: "rrf",
  rrfK: 5,
  textWeight: 1,
  vectorWeight: 0.3,
  proximityWeight: 0,
  proximityDepth: 20,
};
/** No head rerank at all: each side alone is that side's own ranking. */
const NO_RERANK = { proximityWeight: 0, windowWeight: 0, trigramWeight: 0 };
const variants: Record<string, FusionWeights> = {
  keywords: { ...DEFAULT_FUSION, method: "scores", vectorWeight: 0, ...NO_RERANK },
  vectors: { ...DEFAULT_FUSION, method: "scores", textWeight: 0, ...NO_RERANK },
  "rrf-before": RRF_BEFORE,
  // The hybrid search before window and trigram evidence (phrase evidence only), kept for comparison.
  "phrases": { ...DEFAULT_FUSION, windowWeight: 0, trigramWeight: 0 },
  hybrid: DEFAULT_FUSION,
};

console.log(`data: ${dataDir}`);
console.log(
  `${chunkTerms.size} chunks ingested in ${
    ingestSeconds.toFixed(1)
  } s; ${lists.length} questions, both sides ` +
    `searched in ${searchSeconds.toFixed(1)} s`,
);
console.log("set        variant     half    n   recall@1 recall@5 recall@10");
for (const set of [...new Set(lists.map((l) => l.q.set))]) {
  for (const [name, w] of Object.entries(variants)) {
    for (const half of ["A", "B"] as const) {
      const subset = lists.filter((l) => l.q.set === set && l.q.half === half);
      if (subset.length === 0) continue;
      // An English-only embedder leaves Arabic questions without a vector side: no "vectors" row for them.
      if (name === "vectors" && subset.filter((l) => l.vector.length > 0).length < subset.length / 2) {
        continue;
      }
      const r = recall(subset, w);
      console.log(
        `${set.padEnd(10)} ${name.padEnd(11)} ${half}   ${String(r.n).padStart(5)}   ${f(r.r1)}    ${
          f(r.r5)
        }` +
          `    ${f(r.r10)}`,
      );
    }
  }
}

// A sample through `hybridSearch` itself: the replayed fusion must give the same ranks.
let mismatches = 0;
const sample = lists.filter((_, i) => i % Math.max(1, Math.floor(lists.length / 100)) === 0);
for (const l of sample) {
  const { results } = await hybridSearch(deps, {
    scope: { courseIds: [courseOf.get(l.q.set)!] },
    query: l.q.query,
    k: 10,
  }, candidateBudget ? { candidateBudget } : {});
  const live = results.findIndex((r) => r.chunkId === l.q.want);
  const replayed = rankOf(l, DEFAULT_FUSION);
  if (live !== (replayed < 10 ? replayed : -1)) mismatches++;
}
console.log(`check: ${sample.length} questions through hybridSearch, ${mismatches} rank mismatches`);

if (Deno.args.includes("--sweep")) {
  const tune = lists.filter((l) => l.q.half === "A");
  const check = lists.filter((l) => l.q.half === "B");
  const grid: FusionWeights[] = [];
  for (const proximityWeight of [0, 0.1, 0.2, 0.3, 0.5]) {
    for (const vectorWeight of [0, 0.1, 0.2, 0.3, 0.5]) {
      grid.push({ ...DEFAULT_FUSION, method: "scores", vectorWeight, proximityWeight });
    }
    for (const [rrfK, vectorWeight] of [[5, 0.3], [5, 0.2], [10, 0.3], [60, 0.5]]) {
      grid.push({ ...DEFAULT_FUSION, method: "rrf", rrfK, vectorWeight, proximityWeight });
    }
  }
  for (const windowWeight of [0, 0.2, 0.4, 0.5]) {
    for (const trigramWeight of [0, 0.2, 0.4, 0.5]) {
      for (const windowSize of [10, 12, 15]) {
        grid.push({ ...DEFAULT_FUSION, windowWeight, trigramWeight, windowSize });
      }
    }
  }
  const bySet = (subset: SideLists[], w: FusionWeights) =>
    [...new Set(subset.map((l) => l.q.set))].map((s) => {
      const r = recall(subset.filter((l) => l.q.set === s), w);
      return `${s} ${f(r.r1)}/${f(r.r5)}`;
    }).join("  ");
  for (const w of grid) {
    const a = recall(tune, w);
    console.log(
      `sweep ${w.method} k=${w.rrfK} vec=${w.vectorWeight} prox=${w.proximityWeight} win=${w.windowWeight}/${w.windowSize} tri=${w.trigramWeight}: A ${
        f(a.r1)
      }/${f(a.r5)}` +
        ` [${bySet(tune, w)}]  B [${bySet(check, w)}]`,
    );
  }
}
await database.close();
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
