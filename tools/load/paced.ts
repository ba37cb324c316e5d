/**
 * An evenly paced, open-loop load generator for the plain request classes of `deno task load --rate N`. Each class
 * sends its requests at fixed intervals (`1000 / rate` ms apart, the classes' schedules interleaved) whatever the
 * answers do: a slow answer never delays the next send, so a stall on the server shows in the latencies instead of
 * thinning the load. Every latency is measured from the request's **scheduled** send time, so when the generator
 * itself falls behind (its event loop busy, the machine saturated) the delay counts against the request, as in
 * wrk2, and coordinated omission is not hidden. How late the sends went out is reported on its own (`sendLagMs`)
 * to tell the generator's lateness from the system's.
 *
 * autocannon's `overallRate` is not this: each connection sends its share of a second back to back at the start
 * of that second, then waits (node_modules/autocannon/lib/httpClient.js, `reqsMadeThisSecond`), and times each
 * request from its actual send.
 *
 * `deno run -A tools/load/paced.ts` reads `PacedOptions` as JSON on stdin and prints one JSON line of
 * `PacedResult`, so the generator never shares an event loop with what it measures; `runPacedProcess()` is the
 * caller's side.
 */

/** One request shape (as autocannon's `requests`). */
export interface PacedRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One route class: where it goes, how often, and the shapes it cycles through. */
export interface PacedClass {
  name: string;
  /** Base URL (e.g. one edge). */
  url: string;
  /** Requests per second; sent `1000 / rate` ms apart. */
  rate: number;
  requests: PacedRequest[];
}

/** What a run sends. */
export interface PacedOptions {
  classes: PacedClass[];
  durationSeconds: number;
  /** A request unanswered after this long counts as a timeout (default 10 s, autocannon's). */
  timeoutMs?: number;
}

/** One planned send: which class, which of its shapes, and when (ms after the start). */
export interface PlannedSend {
  classIndex: number;
  requestIndex: number;
  atMs: number;
}

/** One class's outcome. */
export interface PacedClassResult {
  name: string;
  rate: number;
  sent: number;
  /** Latencies (ms) from each request's scheduled send to its whole answer read, answered ones only. */
  latenciesMs: number[];
  /** Answers by status. */
  statuses: Record<string, number>;
  /** Requests that got no answer: `timeout` or the error's name. */
  failures: Record<string, number>;
  /** How late each send went out after its scheduled time (ms): the generator's own lag. */
  sendLagMs: number[];
  /** The `x-request-id` of the slowest answers (ms, id), slowest first, for finding them in the tiers' logs. */
  slowest: [number, string][];
}

/** What a run returns. */
export interface PacedResult {
  classes: PacedClassResult[];
}

/**
 * The sends of a run, in time order: class `k` at `offset_k + i * 1000 / rate_k` for every time before the end,
 * where the offsets spread the classes' first sends over one interval of the fastest class so no two classes
 * send together by construction. Deterministic; shapes cycle per class.
 */
export function planSends(
  classes: Pick<PacedClass, "rate" | "requests">[],
  durationMs: number,
): PlannedSend[] {
  const active = classes.filter((c) => c.rate > 0);
  const step = active.length ? 1000 / Math.max(...active.map((c) => c.rate)) / active.length : 0;
  const plan: PlannedSend[] = [];
  let k = 0;
  for (const [classIndex, c] of classes.entries()) {
    if (!(c.rate > 0)) continue;
    const offset = step * k++;
    const interval = 1000 / c.rate;
    for (let i = 0; offset + i * interval < durationMs; i++) {
      plan.push({
        classIndex,
        requestIndex: i % Math.max(1, c.requests.length),
        atMs: offset + i * interval,
      });
    }
  }
  return plan.sort((a, b) => a.atMs - b.atMs || a.classIndex - b.classIndex);
}

/** Time as the pacer sees it: `performance.now()` and a sleep until a given time in production, virtual in tests. */
export interface PacerClock {
  now(): number;
  sleepUntil(t: number): Promise<void>;
}

/** The real clock. */
export const realClock: PacerClock = {
  now: () => performance.now(),
  sleepUntil: (t) => {
    const ms = t - performance.now();
    return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
  },
};

/** How one send ended: an answer's status and request id, or a failure. */
export type SendOutcome = { status: number; requestId?: string } | { failure: string };

/** Sends one request and resolves once its whole answer is read (never rejects: failures are outcomes). */
export type Sender = (c: PacedClass, request: PacedRequest) => Promise<SendOutcome>;

const SLOWEST_KEPT = 20;

/**
 * Runs a plan open loop: each send starts at its scheduled time (or at once when the generator is late), without
 * waiting for earlier answers; resolves when every answer is in.
 */
export async function runPlan(
  classes: PacedClass[],
  plan: PlannedSend[],
  send: Sender,
  clock: PacerClock = realClock,
): Promise<PacedResult> {
  const results: PacedClassResult[] = classes.map((c) => ({
    name: c.name,
    rate: c.rate,
    sent: 0,
    latenciesMs: [],
    statuses: {},
    failures: {},
    sendLagMs: [],
    slowest: [],
  }));
  const inFlight = new Set<Promise<void>>();
  const start = clock.now();
  for (const p of plan) {
    const scheduled = start + p.atMs;
    await clock.sleepUntil(scheduled);
    const r = results[p.classIndex];
    r.sent++;
    r.sendLagMs.push(clock.now() - scheduled);
    const c = classes[p.classIndex];
    const done = send(c, c.requests[p.requestIndex]).then((outcome) => {
      if ("failure" in outcome) {
        r.failures[outcome.failure] = (r.failures[outcome.failure] ?? 0) + 1;
        return;
      }
      const ms = clock.now() - scheduled;
      r.latenciesMs.push(ms);
      r.statuses[outcome.status] = (r.statuses[outcome.status] ?? 0) + 1;
      if (outcome.requestId && (r.slowest.length < SLOWEST_KEPT || ms > r.slowest.at(-1)![0])) {
        r.slowest.push([ms, outcome.requestId]);
        r.slowest.sort((a, b) => b[0] - a[0]);
        r.slowest.length = Math.min(r.slowest.length, SLOWEST_KEPT);
      }
    });
    inFlight.add(done);
    done.finally(() => inFlight.delete(done));
  }
  await Promise.all(inFlight);
  return { classes: results };
}

/** A sender over `fetch` (keep-alive connections, as many as the open requests need). */
export function fetchSender(timeoutMs = 10_000): Sender {
  return async (c, request) => {
    try {
      const res = await fetch(new URL(request.path, c.url), {
        method: request.method ?? "GET",
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer();
      return { status: res.status, requestId: res.headers.get("x-request-id") ?? undefined };
    } catch (err) {
      const name = err instanceof Error ? err.name : "error";
      return { failure: name === "TimeoutError" ? "timeout" : name };
    }
  };
}

/** Runs the generator in a child process and returns its result. */
export async function runPacedProcess(options: PacedOptions): Promise<PacedResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", import.meta.filename!],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(options)));
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(`the paced generator failed: ${new TextDecoder().decode(out.stderr)}`);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return JSON.parse(lines.at(-1)!) as PacedResult;
}

if (import.meta.main) {
  const options = JSON.parse(await new Response(Deno.stdin.readable).text()) as PacedOptions;
  const plan = planSends(options.classes, options.durationSeconds * 1000);
  const result = await runPlan(options.classes, plan, fetchSender(options.timeoutMs));
  console.log(JSON.stringify(result));
}
