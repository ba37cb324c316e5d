import assert from "node:assert/strict";
import { startFakeOpenAi } from "../testing/fake_openai.ts";
import { createOpenAiEmbedder } from "./openai.ts";

Deno.test("OpenAI embedder batches texts and keeps their order (fake OpenAI server)", async () => {
  const server = startFakeOpenAi({ apiKey: "sk-test" });
  try {
    const embedder = createOpenAiEmbedder({
      apiKey: "sk-test",
      baseUrl: server.baseUrl,
      model: "text-embedding-3-small",
      dimensions: 16,
      batchSize: 2,
    });
    const texts = ["cells divide", "plants grow", "", "cells divide", "rivers flow"];
    const vectors = await embedder.embed(texts);
    assert.equal(vectors.length, 5);
    assert.ok(vectors.every((v) => v.length === 16));
    assert.deepEqual(vectors[0], vectors[3], "the same text gets the same vector, in its place");
    assert.notDeepEqual(vectors[0], vectors[1]);
    assert.deepEqual(server.requests.map((r) => r.input.length), [2, 2, 1]);
    assert.equal(server.requests[0].model, "text-embedding-3-small");
    assert.equal(server.requests[0].dimensions, 16);
  } finally {
    await server.close();
  }
});

Deno.test("OpenAI embedder retries server errors a bounded number of times (fake OpenAI server)", async () => {
  const server = startFakeOpenAi({ apiKey: "sk-test" });
  try {
    const make = (maxRetries: number) =>
      createOpenAiEmbedder({
        apiKey: "sk-test",
        baseUrl: server.baseUrl,
        model: "m",
        dimensions: 8,
        maxRetries,
      });
    server.failNext(2, 503);
    assert.equal((await make(2).embed(["hello"])).length, 1, "succeeds on the third try");
    assert.equal(server.requests.length, 3);

    server.failNext(5, 500);
    await assert.rejects(() => make(1).embed(["hello"]), /Embedding request failed/);
    assert.equal(server.requests.length, 5, "one try and one retry, then it gives up");
  } finally {
    server.failNext(0, 500);
    await server.close();
  }
});

Deno.test("OpenAI embedder rejects a wrong key and vectors of the wrong size clearly (fake OpenAI server)", async () => {
  const server = startFakeOpenAi({ apiKey: "sk-test", defaultDimensions: 12 });
  try {
    const wrongKey = createOpenAiEmbedder({
      apiKey: "sk-wrong",
      baseUrl: server.baseUrl,
      model: "m",
      dimensions: 8,
    });
    await assert.rejects(() => wrongKey.embed(["x"]), /Embedding request failed.*401|Incorrect API key/);
    const noDims = createOpenAiEmbedder({
      apiKey: "sk-test",
      baseUrl: server.baseUrl,
      model: "m",
      dimensions: 8,
      sendDimensions: false,
    });
    await assert.rejects(() => noDims.embed(["x"]), /returned 12 dimensions, expected 8/);
  } finally {
    await server.close();
  }
});
