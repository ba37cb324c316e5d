import assert from "node:assert/strict";
import { AppError, ErrorCode } from "../../errors.ts";
import { startFakeOpenAi } from "../testing/fake_openai.ts";
import { complete, type GenerationRequest, type ModelEvent } from "./interface.ts";
import { OpenAiModel, type OpenAiModelOptions } from "./openai.ts";

const models = {
  chat: "chat-model",
  summary: "summary-model",
  "exam-gen": "exam-model",
  grading: "grading-model",
};

function modelFor(baseURL: string, overrides: Partial<OpenAiModelOptions> = {}): OpenAiModel {
  return new OpenAiModel({
    apiKey: "sk-test",
    baseURL,
    models,
    timeoutMs: 2_000,
    streamIdleTimeoutMs: 2_000,
    maxRetries: 2,
    maxOutputTokens: 200,
    ...overrides,
  });
}

const request: GenerationRequest = {
  task: "chat",
  messages: [{ role: "user", content: "What is a photon?" }],
};

async function collect(stream: AsyncIterable<ModelEvent>): Promise<ModelEvent[]> {
  const events: ModelEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

Deno.test("OpenAiModel streams tokens from an OpenAI-protocol server and reports its token usage", async () => {
  const fake = startFakeOpenAi();
  try {
    fake.script.push({
      kind: "answer",
      text: "A photon is a quantum of light [1].",
      usage: { prompt_tokens: 42, completion_tokens: 9 },
    });
    const events = await collect(modelFor(fake.baseURL).stream(request));
    const tokens = events.filter((e) => e.type === "token");
    assert.ok(tokens.length > 3);
    assert.equal(tokens.map((t) => t.text).join(""), "A photon is a quantum of light [1].");
    assert.deepEqual(events.at(-1), { type: "usage", usage: { unit: "tokens", input: 42, output: 9 } });
    assert.equal(fake.requests[0].model, "chat-model");
    assert.equal(fake.requests[0].stream, true);
    assert.deepEqual(fake.requests[0].body.stream_options, { include_usage: true });
  } finally {
    await fake.close();
  }
});

Deno.test("OpenAiModel uses the configured model of each task", async () => {
  const fake = startFakeOpenAi();
  try {
    await complete(modelFor(fake.baseURL), { ...request, task: "summary" });
    await complete(modelFor(fake.baseURL), { ...request, task: "grading" });
    assert.deepEqual(fake.requests.map((r) => r.model), ["summary-model", "grading-model"]);
  } finally {
    await fake.close();
  }
});

Deno.test("OpenAiModel retries a 500 and a 429 and then succeeds", async () => {
  const fake = startFakeOpenAi();
  try {
    fake.script.push({ kind: "error", status: 500 }, { kind: "error", status: 429 }, {
      kind: "answer",
      text: "Done.",
    });
    const result = await complete(modelFor(fake.baseURL), request);
    assert.equal(result.text, "Done.");
    assert.equal(fake.requests.length, 3);
  } finally {
    await fake.close();
  }
});

Deno.test("OpenAiModel gives up after its bounded retries with the project's error", async () => {
  const fake = startFakeOpenAi(() => ({ kind: "error", status: 503 }));
  try {
    await assert.rejects(
      complete(modelFor(fake.baseURL, { maxRetries: 1 }), request),
      (error) => error instanceof AppError && error.code === ErrorCode.BAD_GATEWAY,
    );
    assert.equal(fake.requests.length, 2);
    fake.script.push({ kind: "error", status: 429 });
    await assert.rejects(
      complete(modelFor(fake.baseURL, { maxRetries: 0 }), request),
      (error) => error instanceof AppError && error.code === ErrorCode.RATE_LIMITED,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("OpenAiModel times out a server that does not answer, and one that stalls mid-stream", async () => {
  const fake = startFakeOpenAi();
  try {
    fake.script.push({ kind: "delay", ms: 1_000, then: { kind: "answer", text: "Too late." } });
    await assert.rejects(
      complete(modelFor(fake.baseURL, { timeoutMs: 150, maxRetries: 0 }), request),
      (error) => error instanceof AppError && error.code === ErrorCode.TIMEOUT,
    );
    fake.script.push({ kind: "stall", pieces: ["Half ", "an "], ms: 1_000 });
    const events: ModelEvent[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of modelFor(fake.baseURL, { streamIdleTimeoutMs: 150 }).stream(request)) {
          events.push(e);
        }
      })(),
      (error) => error instanceof AppError && error.code === ErrorCode.TIMEOUT,
    );
    assert.equal(events.map((e) => e.type === "token" ? e.text : "").join(""), "Half an ");
  } finally {
    await fake.close();
  }
});

Deno.test("OpenAiModel stops quietly when the caller aborts", async () => {
  const fake = startFakeOpenAi();
  try {
    fake.script.push({ kind: "stall", pieces: ["Some ", "text "], ms: 1_000 });
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const e of modelFor(fake.baseURL).stream({ ...request, signal: controller.signal })) {
      if (e.type === "token") seen.push(e.text);
      if (seen.length === 2) controller.abort();
    }
    assert.deepEqual(seen, ["Some ", "text "]);
  } finally {
    await fake.close();
  }
});
