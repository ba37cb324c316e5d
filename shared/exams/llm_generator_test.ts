import assert from "node:assert/strict";
import { type JsonCompletionModel, LlmExamGenerator } from "./llm_generator.ts";
import { Blueprint, type SourceChunk } from "./types.ts";

const documentId = crypto.randomUUID();
const chunks: SourceChunk[] = [
  {
    chunkId: "c1",
    documentId,
    page: 9,
    text: "Here is the algorithm for substitution. Solve one of the equations for one variable.",
  },
  {
    chunkId: "c2",
    documentId,
    page: 11,
    text: "Elimination adds or subtracts the equations to remove a variable.",
  },
];

/** A scripted model: returns the queued answers in order and records what it was asked. */
function scripted(answers: string[]): JsonCompletionModel & { calls: number } {
  const model = {
    calls: 0,
    completeJson() {
      model.calls++;
      return Promise.resolve({ content: answers.shift() ?? '{"items":[]}' });
    },
  };
  return model;
}

const good = {
  type: "short_answer",
  question: "Which method starts by solving one equation for one variable?",
  options: [],
  answerKey: "substitution",
  explanation: "Page 9 describes it.",
  difficulty: "easy",
  chunkId: "c1",
  quote: "Here is the algorithm for substitution.",
};

Deno.test("LlmExamGenerator retries invalid output and keeps only supported, distinct items", async () => {
  const unsupported = { ...good, answerKey: "graphing", quote: "Here is the algorithm for substitution." };
  const invented = { ...good, quote: "Substitution was invented in 1850." };
  const duplicate = { ...good, question: "Same fact again?" };
  const model = scripted([
    "this is not json",
    JSON.stringify({ items: [{ ...good, type: "essay" }] }),
    JSON.stringify({ items: [unsupported, invented, good, duplicate] }),
  ]);
  const reasons: string[] = [];
  const gen = new LlmExamGenerator(model, { maxAttempts: 3, onRetry: (r) => reasons.push(r) });
  const items = await gen.generate(Blueprint.parse({ counts: { short_answer: 1 } }), chunks);
  assert.equal(model.calls, 3);
  assert.equal(items.length, 1);
  assert.equal(items[0].answerKey, "substitution");
  assert.deepEqual(items[0].citations, [{ chunkId: "c1", documentId, page: 9, quote: good.quote }]);
  assert.ok(reasons.some((r) => r.startsWith("invalid output")));
  assert.ok(reasons.includes("discarded item: its key is not in the quote"));
  assert.ok(reasons.includes("discarded item: its quote is not in the cited chunk"));
});

Deno.test("LlmExamGenerator asks again for what is still missing, and stops at the attempt limit", async () => {
  const second = {
    ...good,
    answerKey: "Elimination",
    chunkId: "c2",
    quote: "Elimination adds or subtracts the equations to remove a variable.",
  };
  const model = scripted([JSON.stringify({ items: [good] }), JSON.stringify({ items: [second] })]);
  const items = await new LlmExamGenerator(model).generate(
    Blueprint.parse({ counts: { short_answer: 2 } }),
    chunks,
  );
  assert.equal(items.length, 2);
  assert.equal(model.calls, 2);

  const stubborn = scripted([]);
  const none = await new LlmExamGenerator(stubborn, { maxAttempts: 2 }).generate(
    Blueprint.parse({ counts: { true_false: 1 } }),
    chunks,
  );
  assert.deepEqual(none, []);
  assert.equal(stubborn.calls, 2);
});

Deno.test({
  name: "LlmExamGenerator over the OpenAI protocol (fake server): invalid structured output is retried",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { startFakeOpenAi } = await import("../tutor/testing/fake_openai.ts");
    const { OpenAiModel } = await import("../tutor/model/openai.ts");
    const { jsonModelFrom } = await import("./llm_generator.ts");
    const server = startFakeOpenAi();
    server.script.push(
      { kind: "answer", text: '{"items": [{"type": "short_answer"}]}' },
      { kind: "answer", text: "```json\n" + JSON.stringify({ items: [good] }) + "\n```" },
    );
    try {
      const model = new OpenAiModel({
        baseURL: server.baseURL,
        models: { chat: "c", summary: "s", "exam-gen": "exam-model", grading: "g" },
        timeoutMs: 5000,
        streamIdleTimeoutMs: 5000,
        maxRetries: 0,
        maxOutputTokens: 500,
      });
      const reasons: string[] = [];
      const items = await new LlmExamGenerator(jsonModelFrom(model), { onRetry: (r) => reasons.push(r) })
        .generate(Blueprint.parse({ counts: { short_answer: 1 } }), chunks);
      assert.equal(items.length, 1);
      assert.equal(items[0].answerKey, "substitution");
      assert.equal(server.requests.length, 2);
      assert.equal(server.requests[0].model, "exam-model");
      const format = server.requests[0].body.response_format as {
        type: string;
        json_schema: { name: string };
      };
      assert.equal(format.type, "json_schema");
      assert.equal(format.json_schema.name, "exam_items");
      assert.ok(reasons[0].startsWith("invalid output"));
    } finally {
      await server.close();
    }
  },
});

Deno.test("LlmExamGenerator puts the learning objectives and the facts to avoid in its prompt", async () => {
  const prompts: string[] = [];
  const model: JsonCompletionModel = {
    completeJson(request) {
      prompts.push(request.user);
      return Promise.resolve({ content: JSON.stringify({ items: [good] }) });
    },
  };
  const blueprint = Blueprint.parse({
    counts: { short_answer: 1 },
    objectives: ["Solve a system by substitution"],
  });
  const avoided = "here is the algorithm for substitution|substitution";
  const items = await new LlmExamGenerator(model, { maxAttempts: 2 }).generate(blueprint, chunks, {
    avoidFactKeys: [avoided],
  });
  assert.match(prompts[0], /Learning objectives[^\n]*\n- Solve a system by substitution/);
  assert.match(prompts[0], /Do not test these facts again:\n- here is the algorithm for substitution/);
  assert.deepEqual(items, [], "the model's only item tests the avoided fact, so it is not kept");
});
