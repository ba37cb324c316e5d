import assert from "node:assert/strict";
import { readSse } from "./sse.ts";

function streamOf(parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const p of parts) controller.enqueue(encoder.encode(p));
      controller.close();
    },
  });
}

Deno.test("readSse() yields events split across chunks, joins data lines and skips comments", async () => {
  const events = [];
  for await (
    const e of readSse(streamOf([
      'event: token\ndata: {"te',
      'xt":"Hel"}\n\n: keep-alive\n\nevent: token\r\ndata: {"text":"lo"}\r\n\r\n',
      "data: a\ndata: b\n\n",
      'event: done\ndata: {"status":"complete"}',
    ]))
  ) events.push(e);
  assert.deepEqual(events, [
    { event: "token", data: '{"text":"Hel"}' },
    { event: "token", data: '{"text":"lo"}' },
    { event: "message", data: "a\nb" },
    { event: "done", data: '{"status":"complete"}' },
  ]);
});
