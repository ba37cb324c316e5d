/**
 * The tutor's own per-turn cost with the offline model, retrieval excluded (a retriever that returns the six chunks
 * it was given): guardrails, prompt, extractive answer, groundedness. Run: deno run -A shared/tutor/testing/overhead_bench.ts
 */
import { createLogger } from "../../logger.ts";
import { noOpenExams } from "../exam_lockout/interface.ts";
import { OfflineTutor } from "../model/offline.ts";
import { answerTutorTurn } from "../pipeline.ts";
import type { Retriever } from "../retriever/interface.ts";
import { loadXquadFixture, xquadRetriever } from "./xquad.ts";

const fixture = loadXquadFixture();
const results: string[] = [];
for (const language of ["en", "ar"] as const) {
  const memory = xquadRetriever(fixture, { courseId: "bench", language });
  const questions = fixture.paragraphs.flatMap((p) => p.questions.map((q) => q[language]));
  const prepared = new Map<string, Awaited<ReturnType<Retriever["retrieve"]>>>();
  for (const q of questions) {
    prepared.set(q, await memory.retrieve({ scope: { courseId: "bench" }, query: q, k: 6, language }));
  }
  const retriever: Retriever = { retrieve: (r) => Promise.resolve(prepared.get(r.query)!) };
  const deps = {
    retriever,
    model: new OfflineTutor(),
    examLockout: noOpenExams,
    logger: createLogger("bench", { level: "error" }),
  };
  // Round 0 meets every chunk for the first time (cold); later rounds find their sentences prepared (warm).
  const rounds: number[][] = [[], [], []];
  for (const times of rounds) {
    for (const question of questions) {
      const started = performance.now();
      await answerTutorTurn(deps, { scope: { courseId: "bench" }, question, history: [], policy: "direct" });
      times.push(performance.now() - started);
    }
  }
  const describe = (times: number[]) => {
    const sorted = [...times].sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(2);
    return `${sorted.length} turns, p50 ${at(0.5)} ms, p95 ${at(0.95)} ms`;
  };
  results.push(`${language} cold: ${describe(rounds[0])}; warm: ${describe([...rounds[1], ...rounds[2]])}`);
}
console.log(results.join("\n"));
