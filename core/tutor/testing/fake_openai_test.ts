import assert from "node:assert/strict";
import OpenAI from "openai";
import { startFakeOpenAi } from "./fake_openai.ts";

Deno.test("the fake OpenAI server answers a non-streaming chat completion the SDK parses, and OpenAI error bodies", async () => {
  const fake = startFakeOpenAi();
  try {
    const client = new OpenAI({ apiKey: "sk-test", baseURL: fake.baseURL, maxRetries: 0 });
    fake.script.push({
      kind: "answer",
      text: '{"ok":true}',
      usage: { prompt_tokens: 5, completion_tokens: 3 },
    });
    const completion = await client.chat.completions.create({
      model: "exam-model",
      messages: [{ role: "user", content: "Give JSON" }],
    });
    assert.equal(completion.object, "chat.completion");
    assert.equal(completion.choices[0].message.content, '{"ok":true}');
    assert.equal(completion.usage?.total_tokens, 8);
    fake.script.push({ kind: "error", status: 429, message: "Rate limit reached" });
    await assert.rejects(
      client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] }),
      (error) => error instanceof OpenAI.RateLimitError && error.message.includes("Rate limit reached"),
    );
    const raw = await fetch(`${fake.baseURL}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "x" }] }),
    });
    assert.equal(raw.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const body = await raw.text();
    assert.match(body, /^data: \{"id":"chatcmpl-fake/);
    assert.ok(body.endsWith("data: [DONE]\n\n"));
  } finally {
    await fake.close();
  }
});
