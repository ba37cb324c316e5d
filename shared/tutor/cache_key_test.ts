import assert from "node:assert/strict";
import { answerCacheKey, type CacheableTurn, isCacheable, normalizeQuestion } from "./cache_key.ts";

const base = {
  courseId: "c1",
  question: "What is a photon?",
  policy: "direct" as const,
  language: "en" as const,
};

Deno.test("answerCacheKey() matches normalised variants of a question and nothing across courses", async () => {
  const key = await answerCacheKey({ ...base, corpusVersion: 3 });
  assert.equal(key, await answerCacheKey({ ...base, question: "  what is a PHOTON ", corpusVersion: 3 }));
  assert.notEqual(key, await answerCacheKey({ ...base, courseId: "c2", corpusVersion: 3 }));
  assert.notEqual(key, await answerCacheKey({ ...base, policy: "socratic", corpusVersion: 3 }));
  assert.notEqual(key, await answerCacheKey({ ...base, language: "ar", corpusVersion: 3 }));
  assert.notEqual(key, await answerCacheKey({ ...base, corpusVersion: 4 }));
  assert.match(key, /^tutor:answer:v1:c1:3:direct:en:[0-9a-f]{64}$/);
  assert.equal(normalizeQuestion("ما هِيَ الخليّة؟"), "ما هي الخليه");
});

Deno.test("isCacheable() keeps only grounded answers to self-contained, impersonal course questions", () => {
  const turn: CacheableTurn = {
    intent: "course_question",
    question: "What is a photon?",
    refused: false,
    historyUsed: false,
    degraded: false,
    citations: 2,
    unsupportedDropped: 0,
  };
  assert.equal(isCacheable(turn), true);
  assert.equal(isCacheable({ ...turn, question: "What was my grade on the photon quiz?" }), false);
  assert.equal(isCacheable({ ...turn, question: "ما هي درجتي في الاختبار؟" }), false);
  assert.equal(isCacheable({ ...turn, historyUsed: true }), false);
  assert.equal(isCacheable({ ...turn, refused: true }), false);
  assert.equal(isCacheable({ ...turn, intent: "greeting" }), false);
  assert.equal(isCacheable({ ...turn, degraded: true }), false);
  assert.equal(isCacheable({ ...turn, citations: 0 }), false);
  assert.equal(isCacheable({ ...turn, unsupportedDropped: 1 }), false);
});
