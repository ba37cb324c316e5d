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

Deno.test("the fake OpenAI server's hold streams the first pieces, waits for the test, then ends the answer normally", async () => {
  const fake = startFakeOpenAi();
  try {
    const client = new OpenAI({ apiKey: "sk-test", baseURL: fake.baseURL, maxRetries: 0 });
    const release = Promise.withResolvers<void>();
    fake.script.push({ kind: "hold", pieces: ["One ", "two "], until: release.promise, rest: ["three."] });
    const stream = await client.chat.completions.create({
      model: "m",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "Count" }],
    });
    const chunks = stream[Symbol.asyncIterator]();
    let text = "";
    // The role chunk, then the two pieces.
    for (let i = 0; i < 3; i++) text += (await chunks.next()).value?.choices[0]?.delta.content ?? "";
    assert.equal(text, "One two ");
    let released = false;
    const next = chunks.next().then((r) => ({ ...r, released }));
    await new Promise((r) => setTimeout(r, 50));
    released = true;
    release.resolve();
    const after = await next;
    assert.equal(after.released, true, "nothing came before the release");
    text += after.value?.choices[0]?.delta.content ?? "";
    let usage;
    for await (const chunk of { [Symbol.asyncIterator]: () => chunks }) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage ?? usage;
    }
    assert.equal(text, "One two three.");
    assert.ok(usage, "the usage chunk came after the held pieces");
  } finally {
    await fake.close();
  }
});
