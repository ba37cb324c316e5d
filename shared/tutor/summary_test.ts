import assert from "node:assert/strict";
import { memoryLogger } from "../logger.ts";
import { OpenAiModel } from "./model/openai.ts";
import { summarizeOffline, summarizeWithModel } from "./summary.ts";
import { startFakeOpenAi } from "./testing/fake_openai.ts";
import type { Citation, TutorTurn } from "./types.ts";

const cite = (chunkId: string, page: number, index = 1): Citation => ({
  index,
  chunkId,
  documentId: `doc-${page < 10 ? "a" : "b"}`,
  documentTitle: page < 10 ? "Optics" : "Waves",
  page,
  snippet: "…",
});

const turns: TutorTurn[] = [
  { role: "student", text: "What is refraction of light?" },
  { role: "tutor", text: "Refraction is … [1]", citations: [cite("k1", 3)] },
  { role: "student", text: "Why does light refraction depend on the medium?" },
  { role: "tutor", text: "The speed of light … [1] [2]", citations: [cite("k2", 3), cite("k3", 12, 2)] },
  { role: "student", text: "Who invented the telescope?" },
  { role: "tutor", text: "I couldn't find this in your course material…", refused: true },
];

Deno.test("summarizeOffline() lists topics, open questions and cited sections to review", () => {
  const summary = summarizeOffline(turns);
  assert.equal(summary.language, "en");
  assert.deepEqual(summary.topics.slice(0, 2).map((t) => t.label), ["refraction", "light"]);
  assert.equal(summary.topics[0].citations.length, 3);
  assert.deepEqual(summary.openQuestions, ["Who invented the telescope?"]);
  assert.deepEqual(summary.sectionsToReview.map((s) => [s.documentTitle, s.page, s.citations.length]), [
    ["Optics", 3, 2],
    ["Waves", 12, 1],
  ]);
  assert.equal(summary.generatedBy, "offline-extractive");
});

Deno.test("summarizeWithModel() maps the model's source numbers to citations and falls back on bad output", async () => {
  const fake = startFakeOpenAi();
  try {
    const model = new OpenAiModel({
      baseURL: fake.baseURL,
      models: { chat: "c", summary: "summary-model", "exam-gen": "e", grading: "g" },
      timeoutMs: 2_000,
      streamIdleTimeoutMs: 2_000,
      maxRetries: 0,
      maxOutputTokens: 300,
    });
    fake.script.push({
      kind: "answer",
      text:
        '{"topics":[{"label":"Refraction","sources":[1,2]}],"openQuestions":["Who invented the telescope?"],' +
        '"review":[3]}',
    });
    const logger = memoryLogger();
    const summary = await summarizeWithModel(turns, { model, logger });
    assert.equal(fake.requests[0].model, "summary-model");
    assert.deepEqual(summary.topics[0].citations.map((c) => c.chunkId), ["k1", "k2"]);
    assert.deepEqual(summary.sectionsToReview.map((s) => s.documentTitle), ["Waves"]);
    assert.equal(summary.generatedBy, "summary-model");
    fake.script.push({ kind: "answer", text: "Sorry, I cannot do JSON today." });
    const fallback = await summarizeWithModel(turns, { model, logger });
    assert.equal(fallback.generatedBy, "offline-extractive");
    assert.ok(logger.lines.some((l) => l.msg === "model summary failed; using the offline summary"));
  } finally {
    await fake.close();
  }
});
