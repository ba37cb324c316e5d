import assert from "node:assert/strict";
import { z } from "zod";
import { tutorEnv } from "../tutor/env.ts";
import { createTutorModel } from "../tutor/model/mod.ts";
import { startFakeOpenAi } from "../tutor/testing/fake_openai.ts";
import { modelShortAnswerGrader, offlineShortAnswerGrader } from "./short_answer_grader.ts";

function modelAt(baseURL: string) {
  return createTutorModel(
    z.object(tutorEnv).parse({
      TUTOR_MODEL: "openai",
      OPENAI_API_KEY: "test-key",
      OPENAI_BASE_URL: baseURL,
      OPENAI_MAX_RETRIES: "0",
    }),
  );
}

const input = {
  question: "Fill in the blank: solving one equation for one variable is called _____.",
  answerKey: "substitution",
  answer: "subsitution I think",
  explanation: "Page 9.",
};

Deno.test("modelShortAnswerGrader asks the grading model by rubric and asks again on an invalid grade", async () => {
  const fake = startFakeOpenAi();
  fake.script.push(
    { kind: "answer", text: '{"score": 3, "justification": "way off", "confidence": 0.9}' },
    {
      kind: "answer",
      text: '{"score": 1, "justification": "A misspelling of the key.", "confidence": 0.55}',
    },
  );
  const reasons: string[] = [];
  try {
    const grade = await modelShortAnswerGrader(modelAt(fake.baseURL), { onRetry: (r) => reasons.push(r) })
      .grade(input);
    assert.deepEqual(grade, { score: 1, justification: "A misspelling of the key.", confidence: 0.55 });
    assert.equal(fake.requests.length, 2);
    assert.equal(fake.requests[0].model, "gpt-4o-mini", "the grading task's model");
    assert.equal((fake.requests[0].body.response_format as { type: string }).type, "json_schema");
    assert.ok(fake.requests[0].messages.at(-1)!.content.includes(input.answer));
    assert.equal(reasons.length, 1);
  } finally {
    await fake.close();
  }
});

Deno.test("modelShortAnswerGrader falls back to similarity with low confidence when the model keeps failing", async () => {
  const fake = startFakeOpenAi(() => ({ kind: "error", status: 500, message: "down" }));
  try {
    const grade = await modelShortAnswerGrader(modelAt(fake.baseURL)).grade(input);
    const offline = await offlineShortAnswerGrader.grade(input);
    assert.equal(grade.score, offline.score);
    assert.ok(grade.confidence <= 0.4, "a fallback grade must go to review");
    assert.match(grade.justification, /could not grade/);
  } finally {
    await fake.close();
  }
});
