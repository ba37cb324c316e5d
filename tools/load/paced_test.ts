import assert from "node:assert/strict";
import { type PacedClass, type PacerClock, planSends, runPlan, type SendOutcome } from "./paced.ts";

/**
 * Virtual time: sleeps are timers on a list, and `drive` fires them in time order, letting the promise jobs each
 * one starts run before the next. Nothing depends on the real clock, so the tests are deterministic.
 */
class VirtualClock implements PacerClock {
  t = 0;
  #timers: { at: number; seq: number; resolve: () => void }[] = [];
  #seq = 0;
  /** Extra lateness of the generator's wake-ups: a stalled event loop from `from` until `until`. */
  stall?: { from: number; until: number };

  now = () => this.t;

  sleepUntil = (at: number) => this.#timer(at);

  /** A sleep for the fake server (never stalled: the stall is the generator's). */
  serverSleep = (ms: number) => this.#timer(this.t + ms, false);

  #timer(at: number, generator = true): Promise<void> {
    if (generator && this.stall && at >= this.stall.from && at < this.stall.until) at = this.stall.until;
    return new Promise((resolve) =>
      this.#timers.push({ at: Math.max(at, this.t), seq: this.#seq++, resolve })
    );
  }

  async drive<T>(work: Promise<T>): Promise<T> {
    let finished = false;
    work.finally(() => (finished = true)).catch(() => {});
    for (;;) {
      await new Promise((r) => setTimeout(r, 0)); // let every job started so far run to its next sleep
      if (finished) return await work;
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#timers.shift();
      if (!next) throw new Error("nothing scheduled and the run has not finished");
      this.t = next.at;
      next.resolve();
    }
  }
}

const shapes = [{ path: "/a" }, { path: "/b" }];

Deno.test("planSends() spaces each class's sends evenly and interleaves the classes", () => {
  const plan = planSends([{ rate: 4, requests: shapes }, { rate: 2, requests: shapes }], 1000);
  assert.deepEqual(
    plan.map((p) => [p.classIndex, p.atMs, p.requestIndex]),
    [[0, 0, 0], [1, 125, 0], [0, 250, 1], [0, 500, 0], [1, 625, 1], [0, 750, 1]],
  );
});

Deno.test("planSends() sends rate × duration requests per class, none together, none at rate 0", () => {
  const plan = planSends([{ rate: 25, requests: shapes }, { rate: 25, requests: shapes }, {
    rate: 0,
    requests: shapes,
  }], 45_000);
  assert.equal(plan.filter((p) => p.classIndex === 0).length, 25 * 45);
  assert.equal(plan.filter((p) => p.classIndex === 1).length, 25 * 45);
  assert.equal(plan.filter((p) => p.classIndex === 2).length, 0);
  const gaps = plan.slice(1).map((p, i) => p.atMs - plan[i].atMs);
  assert.ok(gaps.every((g) => Math.abs(g - 20) < 1e-9), "75 per second in total: one every 20 ms");
});

function classes(rate: number): PacedClass[] {
  return [{ name: "reads", url: "http://x", rate, requests: shapes }];
}

Deno.test("runPlan() sends on schedule while earlier answers are still out (open loop)", async () => {
  const clock = new VirtualClock();
  const sentAt: number[] = [];
  // Every answer takes 1 s: a closed loop at one connection would send twice in the run, this sends 10 times.
  const send = async (): Promise<SendOutcome> => {
    sentAt.push(clock.now());
    await clock.serverSleep(1000);
    return { status: 200 };
  };
  const c = classes(10);
  const result = await clock.drive(runPlan(c, planSends(c, 1000), send, clock));
  assert.deepEqual(sentAt, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  assert.equal(result.classes[0].sent, 10);
  assert.deepEqual(result.classes[0].latenciesMs, Array(10).fill(1000));
  assert.deepEqual(result.classes[0].statuses, { 200: 10 });
  assert.ok(result.classes[0].sendLagMs.every((lag) => lag === 0));
});

Deno.test("runPlan() times a request from its scheduled send, so a stalled generator's delay is counted", async () => {
  const clock = new VirtualClock();
  // The generator cannot wake between 200 and 450 ms (a GC pause, a busy event loop); the server takes 5 ms.
  clock.stall = { from: 200, until: 450 };
  const sentAt: number[] = [];
  const send = async (): Promise<SendOutcome> => {
    sentAt.push(clock.now());
    const requestId = `r${sentAt.length}`;
    await clock.serverSleep(5);
    return { status: 200, requestId };
  };
  const c = classes(10);
  const result = await clock.drive(runPlan(c, planSends(c, 1000), send, clock));
  // The sends due at 200, 300 and 400 go out together at 450, then the schedule resumes.
  assert.deepEqual(sentAt, [0, 100, 450, 450, 450, 500, 600, 700, 800, 900]);
  const r = result.classes[0];
  assert.deepEqual(r.latenciesMs.toSorted((a, b) => a - b), [5, 5, 5, 5, 5, 5, 5, 55, 155, 255]);
  assert.deepEqual(r.sendLagMs, [0, 0, 250, 150, 50, 0, 0, 0, 0, 0]);
  assert.deepEqual(r.slowest.slice(0, 3), [[255, "r3"], [155, "r4"], [55, "r5"]]);
});

Deno.test("runPlan() counts failures apart from answers", async () => {
  const clock = new VirtualClock();
  let n = 0;
  const send = async (): Promise<SendOutcome> => {
    await clock.serverSleep(1);
    return ++n % 2 ? { status: 503 } : { failure: "timeout" };
  };
  const c = classes(4);
  const result = await clock.drive(runPlan(c, planSends(c, 1000), send, clock));
  assert.deepEqual(result.classes[0].statuses, { 503: 2 });
  assert.deepEqual(result.classes[0].failures, { timeout: 2 });
  assert.equal(result.classes[0].latenciesMs.length, 2);
});
