import assert from "node:assert/strict";
import { ApiError } from "../../lib/api_error.ts";
import { dispatchTurnEvents, type TurnHandlers } from "./turn_events.ts";

function streamOf(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
}

function recorder() {
  const calls: [string, unknown][] = [];
  const handlers: TurnHandlers = {
    onToken: (t) => calls.push(["token", t]),
    onCitations: (c) => calls.push(["citations", c]),
    onDone: (d) => calls.push(["done", d]),
    onError: (e) => calls.push(["error", e]),
  };
  return { calls, handlers };
}

Deno.test("dispatchTurnEvents() passes tokens, citations and done to the handlers in order, comments skipped", async () => {
  const { calls, handlers } = recorder();
  await dispatchTurnEvents(
    streamOf(
      ': accepted\n\nevent: token\ndata: {"text":"Hi"}\n\n: waiting\n\n' +
        'event: citations\ndata: {"citations":[]}\n\n' +
        'event: done\ndata: {"messageId":"m2","userMessageId":"m1","status":"complete","refusal":null,"cached":false}\n\n',
    ),
    handlers,
  );
  assert.deepEqual(calls.map(([k]) => k), ["token", "citations", "done"]);
  assert.equal(calls[0][1], "Hi");
});

Deno.test("an error event without userMessageId (question not stored) throws ApiError with the JSON status, no handler called", async () => {
  const { calls, handlers } = recorder();
  const err = await dispatchTurnEvents(
    streamOf(
      'event: error\ndata: {"code":"QUOTA_EXCEEDED","message":"Daily limit reached","details":{"limit":50}}\n\n',
    ),
    handlers,
  ).then(() => undefined, (e) => e);
  assert.ok(
    err instanceof ApiError,
    "a refusal before the question is stored must throw, keeping the question in the box",
  );
  assert.equal(err.status, 429);
  assert.equal(err.body.code, "QUOTA_EXCEEDED");
  assert.deepEqual(err.body.details, { limit: 50 });
  assert.deepEqual(calls, []);
});

Deno.test("an unknown pre-storage error code throws as a 500; a busy tutor as 503", async () => {
  for (const [code, status] of [["SOMETHING_NEW", 500], ["UNAVAILABLE", 503]] as const) {
    const err = await dispatchTurnEvents(
      streamOf(`event: error\ndata: {"code":"${code}","message":"x"}\n\n`),
      recorder().handlers,
    ).then(() => undefined, (e) => e);
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, status);
  }
});

Deno.test("an error event with userMessageId (question stored, answer failed) goes to onError after the tokens", async () => {
  const { calls, handlers } = recorder();
  await dispatchTurnEvents(
    streamOf(
      'event: token\ndata: {"text":"Part"}\n\n' +
        'event: error\ndata: {"code":"UNAVAILABLE","message":"The model stopped","userMessageId":"m1"}\n\n',
    ),
    handlers,
  );
  assert.deepEqual(calls.map(([k]) => k), ["token", "error"]);
  assert.equal((calls[1][1] as { code: string }).code, "UNAVAILABLE");
});
