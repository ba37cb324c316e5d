/**
 * `deno task eval:tutor`: the offline tutor end to end on the embedded default (PGlite + pgvector + offline
 * embedder, real chunk writer, hybrid search, the tutor pipeline the chat routes run, groundedness gate included).
 * For each set, a course holds the set's paragraphs except every fifth one; questions of the kept paragraphs are
 * answerable, questions of the left-out ones are not (their article's other paragraphs are still there, which makes
 * them hard to refuse). Reports: answer contains the gold answer, wrong refusals, a cited chunk holding the gold
 * answer, unanswerable questions refused, and median latency. Halves A/B split the articles (tune on A).
 *
 * Flags: `--data DIR`, `--sets en,ar,arcd`, `--limit N` (answerable questions per set, spread evenly; default 400),
 * `--threshold X` (the offline tutor's support threshold), `--show N` (print N wrong answers per set), `--sweep`
 * (the same retrieved chunks answered under a range of thresholds), `--save-retrieved FILE` (keep the questions and
 * their retrieved chunks), `--replay FILE` (answer those again without ingestion or retrieval: the fast loop when only
 * the tutor changes), `--dump FILE` (one JSON line per question with the answer and the ranked candidate sentences).
 * Latency: retrieval plus the pipeline.
 */
import { answerTutorTurn, type TutorDeps } from "../shared/tutor/pipeline.ts";
import { OfflineTutor } from "../shared/tutor/model/offline.ts";
import { HybridRetriever } from "../shared/tutor/retriever/hybrid.ts";
import { noOpenExams } from "../shared/tutor/exam_lockout/interface.ts";
import type { Retriever } from "../shared/tutor/retriever/interface.ts";
import type { RetrievedChunk } from "../shared/tutor/types.ts";
import { isMostlyArabic, normalizeText } from "../shared/text/fold.ts";
import { contentTerms } from "../shared/text/terms.ts";
import { splitSentences } from "../shared/text/sentences.ts";
import { answerKept } from "./eval_tutor_labels.ts";
import { rankSentences } from "../shared/tutor/support.ts";
import { openPglite, queryRows, sql } from "../shared/db/client.ts";
import { documents } from "../shared/db/schema/rag.ts";
import { migrateDatabase } from "../shared/db/migrate.ts";
import { newId } from "../shared/ids.ts";
import { createLogger } from "../shared/logger.ts";
import { replaceDocumentChunks } from "../shared/rag/chunk_writer.ts";
import { createOfflineEmbedder } from "../shared/rag/embedder/offline.ts";
import { createPgvectorStore } from "../shared/rag/vector/pgvector.ts";
import { type CachedEmbedder, diskCachedEmbedder, findDataDir } from "./eval/common.ts";

type Squad = {
  data: {
    title: string;
    paragraphs: { context: string; qas: { question: string; answers: { text: string }[] }[] }[];
  }[];
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

const dataDir = findDataDir(flag("data"));
if (!dataDir) {
  console.error("eval:tutor needs the evaluation data in ../shared/data; pass --data DIR.");
  Deno.exit(2);
}
const limit = Number(flag("limit") ?? 400);
const show = Number(flag("show") ?? 0);
const threshold = flag("threshold") ? Number(flag("threshold")) : undefined;

const saveTo = flag("save-retrieved");
const replayFrom = flag("replay");
const dumpTo = flag("dump");
const deps: Omit<TutorDeps, "retriever"> = {
  model: new OfflineTutor({ threshold }),
  examLockout: noOpenExams,
  logger: createLogger("eval", { level: "error" }),
};

interface Asked {
  question: string;
  gold: string[];
  half: "A" | "B";
}

/** The paragraph each question of a set was asked on (by question text), for `answerKept`. */
async function contextsOf(name: string): Promise<Map<string, string>> {
  const squad = JSON.parse(await Deno.readTextFile(`${dataDir}/${FILES[name]}`)) as Squad;
  return new Map(
    squad.data.flatMap((a) =>
      a.paragraphs.flatMap((p) => p.qas.map((q) => [q.question, p.context] as const))
    ),
  );
}

/** Every `n`-th item so that at most `max` remain, spread over the whole list. */
function spread<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)]);
}

const f = (x: number) => (100 * x).toFixed(1).padStart(5) + "%";
console.log(
  "set          half  answerable  gold   wrong-refusal  cited-gold  unanswerable  refused   p50 ms",
);
/** What one set's run needs after ingestion and retrieval, saved with `--save-retrieved`, read with `--replay`. */
interface SetRun {
  courseId: string;
  asked: { q: Asked; answerable: boolean }[];
  retrieved: Record<string, { chunks: RetrievedChunk[]; ms: number }>;
  chunkText: Record<string, string>;
}
const saved: Record<string, SetRun> = replayFrom ? JSON.parse(await Deno.readTextFile(replayFrom)) : {};
const dumped: string[] = [];

/** Ingests a set's kept paragraphs into a fresh course and retrieves once per question. */
async function ingestAndRetrieve(name: string, store: Store): Promise<SetRun> {
  const { database, vectorStore, embedder } = store;
  const squad = JSON.parse(await Deno.readTextFile(`${dataDir}/${FILES[name]}`)) as Squad;
  const courseId = newId();
  const facultyId = newId();
  const answerable: Asked[] = [];
  const unanswerable: Asked[] = [];
  let seen = 0;
  await embedder.warm(
    squad.data.flatMap((a) => a.paragraphs.map((p) => p.context)).filter((t) => !isMostlyArabic(t)),
  );
  for (const [a, article] of squad.data.entries()) {
    const half = a % 2 === 0 ? "A" : "B";
    // Every fifth paragraph of the set is left out (counted over the set: ARCD has one paragraph per article).
    const leftOut = (i: number) => (seen + i) % 5 === 4;
    const kept = article.paragraphs.filter((_, i) => !leftOut(i));
    for (const [i, p] of article.paragraphs.entries()) {
      const asked = p.qas.map((q) =>
        ({ question: q.question, gold: q.answers.map((x) => x.text), half }) as Asked
      );
      if (leftOut(i)) unanswerable.push(...asked.slice(0, 2));
      else {answerable.push(...asked.filter((q) =>
          normalizeText(p.context).includes(normalizeText(q.gold[0]))
        ));}
    }
    const [doc] = await database.db.insert(documents).values({
      courseId,
      facultyId,
      title: article.title,
      fileName: `${article.title}.txt`,
      mime: "text/plain",
      sizeBytes: 0,
      status: "processing",
    }).returning();
    seen += article.paragraphs.length;
    const chunks = kept.map((p, ordinal) => ({ ordinal, text: p.context, pageStart: null, pageEnd: null }));
    await replaceDocumentChunks(database, vectorStore, embedder, { document: doc, chunks });
  }
  const chunkText = new Map(
    (await queryRows<{ id: string; text: string }>(
      database.db,
      sql`select id, text from document_chunks where course_id = ${courseId}::uuid`,
    )).map((r) => [r.id, normalizeText(r.text)]),
  );
  // Retrieval runs once per question; each tutor setting then answers from the same chunks.
  const retriever = new HybridRetriever({ database, vectorStore, embedder });
  const asked = [
    ...spread(answerable, limit).map((q) => ({ q, answerable: true })),
    ...spread(unanswerable, Math.ceil(limit / 2)).map((q) => ({ q, answerable: false })),
  ];
  const retrieved = new Map<string, { chunks: RetrievedChunk[]; ms: number }>();
  for (const { q } of asked) {
    const started = performance.now();
    const { chunks } = await retriever.retrieve({
      scope: { courseId },
      query: q.question,
      k: 6,
      language: name === "en" ? "en" : "ar",
    });
    retrieved.set(q.question, { chunks, ms: performance.now() - started });
  }
  return {
    courseId,
    asked,
    retrieved: Object.fromEntries(retrieved),
    chunkText: Object.fromEntries(chunkText),
  };
}

interface Store {
  database: Awaited<ReturnType<typeof openPglite>>;
  vectorStore: ReturnType<typeof createPgvectorStore>;
  embedder: CachedEmbedder;
}

/** The embedded database, vector store and cached offline embedder the chat routes would use by default. */
async function openStore(): Promise<Store> {
  const database = await openPglite("memory://");
  await migrateDatabase(database);
  const embedder = await diskCachedEmbedder(createOfflineEmbedder(), !Deno.args.includes("--no-cache"));
  const vectorStore = createPgvectorStore(database, { dimensions: embedder.dimensions });
  await vectorStore.ensureSchema();
  return { database, vectorStore, embedder };
}

const store = replayFrom ? null : await openStore();
for (const name of (flag("sets") ?? "en,ar,arcd").split(",")) {
  const run = store ? await ingestAndRetrieve(name, store) : saved[name];
  if (!run) throw new Error(`${replayFrom} holds no set ${name}`);
  if (store && saveTo) saved[name] = run;
  const courseId = run.courseId;
  const asked = run.asked;
  const retrieved = new Map(Object.entries(run.retrieved));
  const chunkText = new Map(Object.entries(run.chunkText));
  // Questions of left-out paragraphs whose answer a kept paragraph repeats are not unanswerable (see answerKept).
  const contexts = await contextsOf(name);
  const course = [...chunkText.values()].map((text) => splitSentences(text));
  const keptAnswer = new Set(
    asked.filter(({ q, answerable }) =>
      !answerable && answerKept(contexts.get(q.question) ?? "", q.gold, course)
    ).map(({ q }) => q.question),
  );
  const replay: Retriever = {
    retrieve: (request) => Promise.resolve({ chunks: retrieved.get(request.query)?.chunks ?? [] }),
  };
  const measure = async (model: OfflineTutor, print: (label: string, r: number[], p50: number) => void) => {
    const latencies: number[] = [];
    const rows = { A: [0, 0, 0, 0, 0, 0], B: [0, 0, 0, 0, 0, 0] };
    // Why answerable questions were refused: no retrieved chunk held the gold answer, the tutor's support was
    // under its threshold although one did, or the groundedness gate dropped every sentence of the answer.
    const causes = { notRetrieved: 0, underThreshold: 0, gateDropped: 0 };
    for (const { q, answerable } of asked) {
      const started = performance.now();
      const turn = await answerTutorTurn({ ...deps, retriever: replay, model }, {
        scope: { courseId },
        question: q.question,
        history: [],
        policy: "direct",
      });
      const r = rows[q.half];
      if (dumpTo && model === deps.model) {
        // One JSON line per question: what was asked, answered, and the candidates the tutor chose from.
        const gold = q.gold.map(normalizeText);
        const ranked = rankSentences(q.question, retrieved.get(q.question)!.chunks);
        const holds = (text: string) => gold.some((g) => normalizeText(text).includes(g));
        dumped.push(JSON.stringify({
          set: name,
          half: q.half,
          answerable,
          answerKept: keptAnswer.has(q.question),
          question: q.question,
          gold: q.gold,
          refused: turn.refusal !== null,
          hasGold: holds(turn.answer),
          answer: turn.answer,
          goldAt: ranked.findIndex((c) => holds(c.sentence)),
          candidates: ranked.slice(0, 8).map((c) => ({
            chunk: c.chunkIndex,
            i: c.sentenceIndex,
            rank: +c.rank.toFixed(3),
            support: +c.support.toFixed(3),
            offers: c.offersAnswer,
            gold: holds(c.sentence),
            sentence: c.sentence,
          })),
        }));
      }
      if (!answerable) {
        if (keptAnswer.has(q.question)) continue;
        r[4]++;
        if (turn.refusal) r[5]++;
        continue;
      }
      latencies.push(performance.now() - started + retrieved.get(q.question)!.ms);
      r[0]++;
      const gold = q.gold.map(normalizeText);
      const hasGold = gold.some((g) => normalizeText(turn.answer).includes(g));
      if (hasGold) r[1]++;
      if (turn.refusal) {
        r[2]++;
        const chunks = retrieved.get(q.question)!.chunks;
        const generation = turn.steps.find((s) => s.step === "generation");
        if (!chunks.some((c) => gold.some((g) => chunkText.get(c.chunkId)?.includes(g)))) {
          causes.notRetrieved++;
        } else if (generation?.outcome === "refused") causes.underThreshold++;
        else causes.gateDropped++;
        if (refusedShown.length < show && model === deps.model) {
          // The best-supported sentence, and the best one holding the gold answer, with their support.
          const ranked = rankSentences(q.question, chunks);
          const withGold = ranked.filter((c) => gold.some((g) => normalizeText(c.sentence).includes(g)))
            .sort((a, b) => b.support - a.support)[0];
          const top = ranked.toSorted((a, b) => b.support - a.support)[0];
          refusedShown.push(
            `REFUSED Q: ${q.question}\nGOLD: ${q.gold[0]}\n  terms: ${contentTerms(q.question).join(" ")}\n` +
              `  best ${top?.support.toFixed(2)}: ${top?.sentence.slice(0, 160)}\n` +
              `  gold ${withGold?.support.toFixed(2)}: ${withGold?.sentence.slice(0, 160)}\n`,
          );
        }
      }
      if (turn.citations.some((c) => gold.some((g) => chunkText.get(c.chunkId)?.includes(g)))) r[3]++;
      if (!hasGold && wrong.length < show && model === deps.model) {
        wrong.push(`Q: ${q.question}\nGOLD: ${q.gold[0]}\nA: ${turn.answer}\n`);
      }
    }
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)] ?? 0;
    print("A", rows.A, p50);
    print("B", rows.B, p50);
    print("all", rows.A.map((x, i) => x + rows.B[i]), p50);
    if (model === deps.model) {
      console.log(`  left-out questions whose answer the course repeats (not counted): ${keptAnswer.size}`);
      console.log(
        `  wrong refusals: gold not retrieved ${causes.notRetrieved}, support under threshold ${causes.underThreshold}, ` +
          `every sentence dropped by the gate ${causes.gateDropped}`,
      );
    }
  };
  const refusedShown: string[] = [];
  const wrong: string[] = [];
  const line = (label: string) => (half: string, r: number[], p50: number) =>
    console.log(
      `${label.padEnd(12)} ${half.padEnd(4)} ${String(r[0]).padStart(6)}     ${f(r[1] / r[0])}  ` +
        `${f(r[2] / r[0])}         ${f(r[3] / r[0])}     ${String(r[4]).padStart(6)}      ${
          f(r[5] / r[4])
        }  ` +
        (half === "all" ? p50.toFixed(0).padStart(6) : ""),
    );
  await measure(deps.model as OfflineTutor, line(name));
  if (Deno.args.includes("--sweep")) {
    for (const t of [0.3, 0.35, 0.4, 0.45, 0.5, 0.55]) {
      await measure(new OfflineTutor({ threshold: t }), line(`${name} t=${t}`));
    }
  }
  for (const w of [...wrong, ...refusedShown]) console.log(w);
}
if (store) {
  await store.embedder.save();
  await store.database.close();
}
if (store && saveTo) await Deno.writeTextFile(saveTo, JSON.stringify(saved));
if (dumpTo) await Deno.writeTextFile(dumpTo, dumped.join("\n") + "\n");
