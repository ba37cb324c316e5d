/**
 * Answerability features of `eval:tutor`'s saved retrievals, one JSON line per question, for calibrating the offline
 * tutor's refusal decision outside the tutor (docs/tutor.md, "Answerability"):
 * `deno run -A tools/eval_tutor_features.ts SAVED.json OUT.jsonl [--embed]`, where SAVED.json comes from
 * `deno task eval:tutor --save-retrieved SAVED.json`. Features: best sentence support (the tutor's measure), the
 * sentence's own coverage, the best chunk's coverage, the question bigrams the best sentence holds, question terms in
 * no retrieved chunk, the answer type, and whether a gold answer is in the retrieved chunks. With `--embed` (English
 * sets only), cosine similarities of the question to the best sentence, to every sentence and to every chunk under
 * the offline embedder (USE-lite), and the time the embedding took.
 */
import { coverage, phraseOverlap, prepare, rankSentences, topicTerms } from "../shared/tutor/support.ts";
import { answerTypeOf } from "../shared/tutor/answer_type.ts";
import type { RetrievedChunk } from "../shared/tutor/types.ts";
import { normalizeText } from "../shared/text/fold.ts";
import { splitSentences } from "../shared/text/sentences.ts";
import { createOfflineEmbedder } from "../shared/rag/embedder/offline.ts";
import { cosine } from "../shared/rag/testing/cosine.ts";

interface SavedSet {
  asked: { q: { question: string; gold: string[]; half: "A" | "B" }; answerable: boolean }[];
  retrieved: Record<string, { chunks: RetrievedChunk[] }>;
}

const [from, to] = Deno.args.filter((a) => !a.startsWith("--"));
if (!from || !to) {
  console.error("usage: deno run -A tools/eval_tutor_features.ts SAVED.json OUT.jsonl [--embed]");
  Deno.exit(2);
}
const embed = Deno.args.includes("--embed");
const embedder = createOfflineEmbedder();
const saved = JSON.parse(await Deno.readTextFile(from)) as Record<string, SavedSet>;

const lines: string[] = [];
for (const [set, run] of Object.entries(saved)) {
  for (const { q, answerable } of run.asked) {
    const chunks = run.retrieved[q.question].chunks;
    const terms = topicTerms(q.question);
    const ranked = rankSentences(q.question, chunks);
    const gold = q.gold.map(normalizeText);
    const holds = (text: string) => gold.some((g) => normalizeText(text).includes(g));
    const top = ranked.toSorted((a, b) => b.support - a.support)[0];
    const prepared = chunks.map((c) => prepare(c.text));
    const row: Record<string, unknown> = {
      set,
      half: q.half,
      answerable,
      question: q.question,
      type: answerTypeOf(q.question),
      terms: new Set(terms).size,
      support: top?.support ?? 0,
      own: top ? coverage(terms, prepare(top.sentence)) : 0,
      chunkCoverage: Math.max(0, ...prepared.map((p) => coverage(terms, p))),
      bigrams: top ? phraseOverlap(terms, prepare(top.sentence)) : 0,
      missing: [...new Set(terms)].filter((t) => !prepared.some((p) => p.terms.has(t))).length,
      offersAnswer: ranked.some((c) => c.support >= 0.45 && c.offersAnswer),
      goldRetrieved: chunks.some((c) => holds(c.text)),
    };
    if (embed && set === "en") {
      const sentences = chunks.flatMap((c) => splitSentences(c.text));
      const started = performance.now();
      const [question, ...vectors] = await embedder.embed([q.question, ...sentences]);
      row.embedMs = Math.round(performance.now() - started);
      const similarity = vectors.map((v) => cosine(question, v));
      row.similarityTop = top ? similarity[sentences.indexOf(top.sentence)] ?? 0 : 0;
      row.similarityMax = Math.max(...similarity);
      const chunkVectors = await embedder.embed(chunks.map((c) => c.text));
      row.similarityChunk = Math.max(...chunkVectors.map((v) => cosine(question, v)));
    }
    lines.push(JSON.stringify(row));
  }
}
await Deno.writeTextFile(to, lines.join("\n") + "\n");
console.log(`${lines.length} questions → ${to}`);
