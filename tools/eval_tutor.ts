/**
 * `deno task eval:tutor`: the offline tutor end to end on the embedded default (PGlite + pgvector + offline
 * embedder, real chunk writer, hybrid search, the tutor pipeline the chat routes run, groundedness gate included).
 * For each set, a course holds the set's paragraphs except every fifth one; questions of the kept paragraphs are
 * answerable, questions of the left-out ones are not (their article's other paragraphs are still there, which makes
 * them hard to refuse). Reports: answer contains the gold answer, wrong refusals, a cited chunk holding the gold
 * answer, unanswerable questions refused, and median latency. Halves A/B split the articles (tune on A).
 *
 * Flags: `--data DIR`, `--sets en,ar,arcd`, `--limit N` (answerable questions per set, spread evenly; default 400),
 * `--threshold X` (the offline tutor's support threshold), `--show N` (print N wrong answers per set).
 */
import { answerTutorTurn, type TutorDeps } from "../core/tutor/pipeline.ts";
import { OfflineTutor } from "../core/tutor/model/offline.ts";
import { HybridRetriever } from "../core/tutor/retriever/hybrid.ts";
import { noOpenExams } from "../core/tutor/exam_lockout/interface.ts";
import { normalizeText } from "../core/tutor/text.ts";
import { openPglite, queryRows, sql } from "../shared/db/client.ts";
import { documents } from "../shared/db/schema/rag.ts";
import { migrateDatabase } from "../shared/db/migrate.ts";
import { newId } from "../shared/ids.ts";
import { createLogger } from "../shared/logger.ts";
import { replaceDocumentChunks } from "../shared/rag/chunk_writer.ts";
import { createOfflineEmbedder } from "../shared/rag/embedder/offline.ts";
import { createPgvectorStore } from "../shared/rag/vector/pgvector.ts";
import { isMostlyArabic } from "../shared/text/normalize.ts";
import { diskCachedEmbedder, findDataDir } from "./eval/common.ts";

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

const database = await openPglite("memory://");
await migrateDatabase(database);
const embedder = await diskCachedEmbedder(createOfflineEmbedder(), !Deno.args.includes("--no-cache"));
const vectorStore = createPgvectorStore(database, { dimensions: embedder.dimensions });
await vectorStore.ensureSchema();
const deps: TutorDeps = {
  retriever: new HybridRetriever({ database, vectorStore, embedder }),
  model: new OfflineTutor({ threshold }),
  examLockout: noOpenExams,
  logger: createLogger("eval", { level: "error" }),
};

interface Asked {
  question: string;
  gold: string[];
  half: "A" | "B";
}

/** Every `n`-th item so that at most `max` remain, spread over the whole list. */
function spread<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)]);
}

const f = (x: number) => (100 * x).toFixed(1).padStart(5) + "%";
console.log("set   half  answerable  gold   wrong-refusal  cited-gold  unanswerable  refused   p50 ms");
for (const name of (flag("sets") ?? "en,ar,arcd").split(",")) {
  const squad = JSON.parse(await Deno.readTextFile(`${dataDir}/${FILES[name]}`)) as Squad;
  const courseId = newId();
  const facultyId = newId();
  const answerable: Asked[] = [];
  const unanswerable: Asked[] = [];
  await embedder.warm(
    squad.data.flatMap((a) => a.paragraphs.map((p) => p.context)).filter((t) => !isMostlyArabic(t)),
  );
  for (const [a, article] of squad.data.entries()) {
    const half = a % 2 === 0 ? "A" : "B";
    const kept = article.paragraphs.filter((_, i) => i % 5 !== 4);
    for (const [i, p] of article.paragraphs.entries()) {
      const asked = p.qas.map((q) =>
        ({ question: q.question, gold: q.answers.map((x) => x.text), half }) as Asked
      );
      if (i % 5 === 4) unanswerable.push(...asked.slice(0, 2));
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
    const chunks = kept.map((p, ordinal) => ({ ordinal, text: p.context, pageStart: null, pageEnd: null }));
    await replaceDocumentChunks(database, vectorStore, embedder, { document: doc, chunks });
  }
  const chunkText = new Map(
    (await queryRows<{ id: string; text: string }>(
      database.db,
      sql`select id, text from document_chunks where course_id = ${courseId}::uuid`,
    )).map((r) => [r.id, normalizeText(r.text)]),
  );
  const ask = async (q: Asked) => {
    const started = performance.now();
    const turn = await answerTutorTurn(deps, {
      scope: { courseId },
      question: q.question,
      history: [],
      policy: "direct",
    });
    return { turn, ms: performance.now() - started };
  };
  const latencies: number[] = [];
  const rows = { A: [0, 0, 0, 0, 0, 0], B: [0, 0, 0, 0, 0, 0] };
  const wrong: string[] = [];
  for (const q of spread(answerable, limit)) {
    const { turn, ms } = await ask(q);
    latencies.push(ms);
    const r = rows[q.half];
    r[0]++;
    const gold = q.gold.map(normalizeText);
    const hasGold = gold.some((g) => normalizeText(turn.answer).includes(g));
    if (hasGold) r[1]++;
    if (turn.refusal) r[2]++;
    if (turn.citations.some((c) => gold.some((g) => chunkText.get(c.chunkId)?.includes(g)))) r[3]++;
    if (!hasGold && wrong.length < show) {
      wrong.push(`Q: ${q.question}\nGOLD: ${q.gold[0]}\nA: ${turn.answer}\n`);
    }
  }
  for (const q of spread(unanswerable, Math.ceil(limit / 2))) {
    const { turn } = await ask(q);
    const r = rows[q.half];
    r[4]++;
    if (turn.refusal) r[5]++;
  }
  latencies.sort((a, b) => a - b);
  const p50 = latencies[Math.floor(latencies.length / 2)] ?? 0;
  for (const half of ["A", "B", "all"] as const) {
    const r = half === "all" ? rows.A.map((x, i) => x + rows.B[i]) : rows[half];
    console.log(
      `${name.padEnd(5)} ${half.padEnd(4)} ${String(r[0]).padStart(6)}     ${f(r[1] / r[0])}  ${
        f(r[2] / r[0])
      }` +
        `         ${f(r[3] / r[0])}     ${String(r[4]).padStart(6)}      ${f(r[5] / r[4])}  ${
          half === "all" ? p50.toFixed(0).padStart(6) : ""
        }`,
    );
  }
  for (const w of wrong) console.log(w);
}
await embedder.save();
await database.close();
