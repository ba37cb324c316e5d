import assert from "node:assert/strict";
import { AppError } from "../../shared/errors.ts";
import { releasedAtFirstEvent, TurnAdmission } from "./admission.ts";

const limits = { concurrency: 2, queue: 1, retryAfterSeconds: 7 };

Deno.test("TurnAdmission runs up to its concurrency, queues one more and refuses the next with Retry-After", async () => {
  const turns = new TurnAdmission(limits);
  const a = await turns.admit();
  const b = await turns.admit();
  const waiting = turns.admit();
  assert.equal(turns.running, 2);
  assert.equal(turns.queued, 1);
  assert.throws(() => turns.admit(), (err) => {
    assert.ok(err instanceof AppError);
    assert.equal(err.status, 503);
    assert.equal(err.headers?.["retry-after"], "7");
    return true;
  });
  a.release();
  a.release(); // twice is harmless: the slot passed on once
  const c = await waiting;
  assert.equal(turns.running, 2);
  assert.equal(turns.queued, 0);
  b.release();
  c.release();
  assert.equal(turns.running, 0);
});

Deno.test("TurnAdmission gives a freed slot to the longest waiter, not to a newcomer", async () => {
  const turns = new TurnAdmission({ concurrency: 1, queue: 2, retryAfterSeconds: 1 });
  const first = await turns.admit();
  const order: string[] = [];
  const second = turns.admit().then((slot) => (order.push("second"), slot));
  const third = turns.admit().then((slot) => (order.push("third"), slot));
  first.release();
  (await second).release();
  (await third).release();
  assert.deepEqual(order, ["second", "third"]);
  assert.equal(turns.running, 0);
});

Deno.test("TurnAdmission lets a waiting turn whose client left go, and its place is taken by the next", async () => {
  const turns = new TurnAdmission({ concurrency: 1, queue: 1, retryAfterSeconds: 1 });
  const running = await turns.admit();
  const client = new AbortController();
  const left = turns.admit(client.signal);
  client.abort();
  await assert.rejects(left);
  assert.equal(turns.queued, 0);
  const next = turns.admit(); // the queue has room again
  running.release();
  (await next).release();
  assert.equal(turns.running, 0);
});

Deno.test("releasedAtFirstEvent() gives the slot up at a turn's first event, when generation starts", async () => {
  const turns = new TurnAdmission({ concurrency: 1, queue: 1, retryAfterSeconds: 1 });
  const slot = await turns.admit();
  const waiting = turns.admit();
  async function* events() {
    yield "token";
    // By now the waiting turn has the slot, while this one still streams.
    assert.equal(turns.queued, 0);
    yield "done";
  }
  const seen: string[] = [];
  for await (const event of releasedAtFirstEvent(slot, events())) seen.push(event);
  assert.deepEqual(seen, ["token", "done"]);
  (await waiting).release();
  assert.equal(turns.running, 0);
});
