/**
 * `deno task bench:edge-streams`: the edge's memory with N streamed chats open at once.
 *
 * Runs the real edge (`deno run -A <the v8 flags of deno.json's start:edge> edge/main.ts`, logging at info as
 * deployed, its output drained) in front of a stand-in core (this file re-run with `--serve core`, a process of its
 * own) that answers `POST /v1/chat/sessions/{id}/messages` with an SSE stream: one `token` event every `--token-ms`
 * for `--hold` seconds, then `done`, as core relays a model. N students (each a user of their own, with an access
 * token the edge verifies against the stand-in's JWKS and checks against the revocation list) open their streams
 * over `--ramp` seconds and read them to the end. The edge's KV is the in-process one (`--kv upstash` with Redis at
 * REDIS_URL: Upstash through the bridge, as deployed). Rate limits are raised out of the way.
 *
 * Prints the edge's RSS (and V8 heap used, external memory, from its `/metrics`) idle, after a warm-up of N/10
 * streams, while all N are open (peak), and after they ended, plus the peak RSS the kernel saw (VmHWM).
 * Flags: --streams 1000, --hold 20 (seconds each stream lasts), --ramp 5 (seconds over which they open),
 * --plain 0 (connections of closed-loop plain requests beside the streams, autocannon: a private list GET and a search
 * POST, forwarded every time, as the load harness's plain classes send), --plain-kb 16 (their answers' size),
 * --token-ms 100, --v8-flags (override deno.json's, e.g. `--v8-flags=` for none), --log-level info, --kv memory,
 * --target proxy (a bare `Deno.serve` + `fetch` proxy instead of the edge: the runtime's own floor), --json (one JSON line
 * instead of the table), --heap-snapshot (the edge runs with `--inspect`; once all streams are
 * open a V8 heap snapshot is taken through the inspector and its largest kinds of object printed: where to look;
 * the inspector itself tees fetch bodies, so its figures are not the edge's), --alloc-profile (V8's sampling heap
 * profiler, through the inspector, while the streams open: allocations by function).
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { parseArgs } from "node:util";
import { BENCH_KID, signBenchToken } from "./token.ts";
import { freePort } from "../../shared/testing/ports.ts";
import { edgeV8Flags } from "./v8_flags.ts";
import { type AutocannonOptions, runAutocannon } from "../load/autocannon.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    serve: { type: "string" },
    streams: { type: "string", default: "1000" },
    hold: { type: "string", default: "20" },
    ramp: { type: "string", default: "5" },
    "token-ms": { type: "string", default: "100" },
    "v8-flags": { type: "string" },
    "log-level": { type: "string", default: "info" },
    kv: { type: "string", default: "memory" },
    json: { type: "boolean", default: false },
    "heap-snapshot": { type: "boolean", default: false },
    "alloc-profile": { type: "boolean", default: false },
    target: { type: "string", default: "edge" },
    "edge-env": { type: "string", default: "" },
    port: { type: "string", default: "0" },
    plain: { type: "string", default: "0" },
    "plain-kb": { type: "string", default: "16" },
  },
});

/** The stand-in core: the JWKS, `/healthz`, and slow SSE answers to chat messages. */
function serveCore() {
  const { d: _private, ...publicJwk } = JSON.parse(Deno.env.get("BENCH_JWK")!) as JWK;
  const jwks = { keys: [{ ...publicJwk, kid: BENCH_KID, alg: "EdDSA", use: "sig" }] };
  const tokenMs = Number(Deno.env.get("BENCH_TOKEN_MS"));
  const holdMs = Number(Deno.env.get("BENCH_HOLD_MS"));
  // A signed-in list answer of `--plain-kb` KB, private (so the edge forwards every one), as the plain classes of the
  // load harness read (my courses, course documents, audit lists).
  const list = JSON.stringify({
    items: Array.from(
      { length: Math.max(1, Math.round(Number(Deno.env.get("BENCH_PLAIN_KB") ?? "16") * 1024 / 100)) },
      (_, i) => ({ id: crypto.randomUUID(), title: `Document ${i}`, status: "ready", n: i }),
    ),
  });
  const app = new Hono()
    .get("/.well-known/jwks.json", (c) => c.json(jwks))
    .get(
      "/v1/courses",
      (c) => c.body(list, 200, { "content-type": "application/json", "cache-control": "private" }),
    )
    .post("/v1/search", async (c) => {
      await c.req.arrayBuffer();
      return c.body(list, 200, { "content-type": "application/json", "cache-control": "private" });
    })
    .get("/healthz", (c) => c.json({ status: "ok" }))
    .post("/v1/chat/sessions/:id/messages", (c) =>
      streamSSE(c, async (stream) => {
        const until = Date.now() + holdMs;
        let n = 0;
        while (Date.now() < until && !stream.aborted) {
          await stream.writeSSE({ event: "token", data: JSON.stringify({ text: `word${n++} ` }) });
          await stream.sleep(tokenMs);
        }
        await stream.writeSSE({ event: "done", data: JSON.stringify({ messageId: crypto.randomUUID() }) });
      }));
  Deno.serve({
    port: Number(values.port),
    hostname: "127.0.0.1",
    onListen: (addr) => console.log(JSON.stringify({ url: `http://127.0.0.1:${addr.port}` })),
  }, app.fetch);
}

/**
 * The floor: a bare `Deno.serve` that forwards every request to core with `fetch` and answers with core's body as is,
 * nothing else (no auth, no logging, no metrics). Serves `/readyz` and a `/metrics` with `Deno.memoryUsage()`.
 */
function serveProxy() {
  const coreUrl = Deno.env.get("CORE_URL")!;
  Deno.serve(
    { port: Number(Deno.env.get("EDGE_PORT")), hostname: "127.0.0.1", onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      if (url.pathname === "/readyz") return new Response("ok");
      if (url.pathname === "/metrics") {
        const m = Deno.memoryUsage();
        return new Response(
          Object.entries({ rss: m.rss, heap_total: m.heapTotal, heap_used: m.heapUsed, external: m.external })
            .map(([k, v]) => `process_memory_bytes{kind="${k}"} ${v}`).join("\n"),
        );
      }
      const variant = Deno.env.get("PROXY_VARIANT") ?? "";
      const controller = new AbortController();
      const onGone = () => controller.abort();
      if (variant.includes("reqsignal")) req.signal.addEventListener("abort", onGone, { once: true });
      const res = await fetch(new URL(url.pathname.replace(/^\/api/, ""), coreUrl), {
        method: req.method,
        headers: req.headers,
        body: req.body ? await req.arrayBuffer() : undefined,
        ...(variant.includes("signal") ? { signal: controller.signal } : {}),
      });
      if (variant.includes("reqsignal")) req.signal.removeEventListener("abort", onGone);
      return new Response(res.body, { status: res.status, headers: res.headers });
    },
  );
}

async function serveBridge() {
  const { startUpstashBridge } = await import("../../shared/kv/testing/upstash_bridge.ts");
  const bridge = await startUpstashBridge({ redisUrl: Deno.env.get("REDIS_URL"), token: "bench" });
  console.log(JSON.stringify({ url: bridge.url }));
}

interface Child {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Spawns a process that prints `{"url":…}` first (or, with `readyUrl`, one that is polled until it answers). */
async function spawn(args: string[], env: Record<string, string>, readyUrl?: string): Promise<Child> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let errText = "";
  const drain = (s: ReadableStream<Uint8Array>, keep = false) =>
    s.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (t) => void (keep && (errText = (errText + t).slice(-2000))) }),
    ).catch(() => {});
  let url = readyUrl ?? "";
  if (!readyUrl) {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`${args.join(" ")} exited before listening`);
      text += value;
    }
    url = JSON.parse(text.split("\n")[0]).url;
    (async () => {
      while (!(await reader.read()).done) { /* drain */ }
    })();
  } else {
    drain(child.stdout);
  }
  drain(child.stderr, true);
  if (readyUrl) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const res = await fetch(`${readyUrl}/readyz`);
        await res.body?.cancel();
        if (res.ok) break;
      } catch { /* not yet */ }
      if (Date.now() > deadline) throw new Error(`the edge was not ready within 60 s: ${errText}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    pid: child.pid,
    stop: async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
}

/** VmRSS and VmHWM (peak) of a process, MB. */
function procMemory(pid: number): { rss: number; hwm: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

/** What the edge says about its memory (`process_memory_bytes` on `/metrics`), MB. */
async function edgeMemory(url: string, token: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } }))
    .text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^process_memory_bytes\{kind="(\w+)"[^}]*\} (\d+)/gm)) {
    out[m[1]] = Number(m[2]) / 1024 / 1024;
  }
  return out;
}

/** A CDP session with the edge's inspector. */
async function inspectorSession(inspectPort: number) {
  const [target] = await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json();
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let id = 0;
  const pending = new Map<number, (v: { result?: unknown }) => void>();
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    if (msg.id !== undefined) pending.get(msg.id)?.(msg);
  };
  return {
    call: (method: string, params: object = {}) =>
      new Promise<{ result?: unknown }>((resolve) => {
        pending.set(++id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

/** Allocations sampled between `start()` and `stop()` (V8's sampling heap profiler), summed by function. */
async function allocationSampler(inspectPort: number) {
  const session = await inspectorSession(inspectPort);
  await session.call("HeapProfiler.enable");
  await session.call("HeapProfiler.startSampling", {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return async (top = 40): Promise<string> => {
    const { result } = await session.call("HeapProfiler.stopSampling");
    session.close();
    const sums = new Map<string, number>();
    let total = 0;
    const walk = (n: SamplingNode) => {
      const f = n.callFrame;
      const key = `${f.functionName || "(anonymous)"} ${
        f.url.replace(/^.*\/(node_modules\/\.deno|ext|wt\/[^/]+)\//, "")
      }:${f.lineNumber + 1}`;
      sums.set(key, (sums.get(key) ?? 0) + n.selfSize);
      total += n.selfSize;
      n.children.forEach(walk);
    };
    walk((result as { profile: { head: SamplingNode } }).profile.head);
    return [
      `sampled allocations: ${(total / 1024 / 1024).toFixed(1)} MB`,
      ...[...sums].sort((a, b) => b[1] - a[1])
        .slice(0, top).map(([k, v]) => `${(v / 1024 / 1024).toFixed(2).padStart(8)} MB ${k}`),
    ].join("\n");
  };
}

/** Takes a V8 heap snapshot through the inspector at `inspectPort` and sums self sizes by node type and name. */
async function heapSummary(inspectPort: number, top = 60): Promise<string> {
  const [target] = await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json();
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const chunks: string[] = [];
  let id = 0;
  const pending = new Map<number, (v: unknown) => void>();
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    if (msg.method === "HeapProfiler.addHeapSnapshotChunk") chunks.push(msg.params.chunk);
    else if (msg.id !== undefined) pending.get(msg.id)?.(msg);
  };
  const call = (method: string, params: object = {}) =>
    new Promise((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await call("HeapProfiler.enable");
  await call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  ws.close();
  const snap = JSON.parse(chunks.join(""));
  const fields: string[] = snap.snapshot.meta.node_fields;
  const types: string[] = snap.snapshot.meta.node_types[0];
  const [t, n, sz] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const sums = new Map<string, { size: number; count: number }>();
  const nodes: number[] = snap.nodes;
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + t]];
    const name = type === "object" || type === "closure" || type === "native"
      ? snap.strings[nodes[i + n]]
      : `(${type})`;
    const key = `${type} ${String(name).slice(0, 60)}`;
    const e = sums.get(key) ?? { size: 0, count: 0 };
    e.size += nodes[i + sz];
    e.count++;
    sums.set(key, e);
  }
  return [...sums].sort((a, b) => b[1].size - a[1].size).slice(0, top)
    .map(([k, v]) =>
      `${(v.size / 1024 / 1024).toFixed(2).padStart(8)} MB ${String(v.count).padStart(8)} × ${k}`
    )
    .join("\n");
}

interface Snapshot {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
}

async function main() {
  const streams = Number(values.streams);
  const holdMs = Number(values.hold) * 1000;
  const rampMs = Number(values.ramp) * 1000;
  const tokenMs = Number(values["token-ms"]);
  // `--v8-flags=--max-semi-space-size=2` (V8's own flags, comma-separated), `--v8-flags=` for none.
  const given = values["v8-flags"];
  const v8Flags = given === undefined
    ? edgeV8Flags(await Deno.readTextFile(`${ROOT}deno.json`))
    : given === "" || given === "--v8-flags="
    ? undefined
    : given.startsWith("--v8-flags=")
    ? given
    : `--v8-flags=${given}`;
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const core = await spawn(["run", "-A", import.meta.filename!, "--serve", "core"], {
    BENCH_JWK: JSON.stringify(await exportJWK(privateKey)),
    BENCH_TOKEN_MS: String(tokenMs),
    BENCH_HOLD_MS: String(holdMs),
    BENCH_PLAIN_KB: values["plain-kb"],
  });
  const children: Child[] = [core];
  try {
    let kvEnv: Record<string, string> = {};
    if (values.kv === "upstash") {
      const bridge = await spawn(["run", "-A", import.meta.filename!, "--serve", "bridge"], {
        REDIS_URL: Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379",
      });
      children.push(bridge);
      kvEnv = {
        UPSTASH_REDIS_REST_URL: bridge.url,
        UPSTASH_REDIS_REST_TOKEN: "bench",
        KV_KEY_PREFIX: `bench-streams:${crypto.randomUUID().slice(0, 8)}:`,
      };
    }
    const metricsToken = crypto.randomUUID();
    const port = freePort();
    const edgeUrl = `http://127.0.0.1:${port}`;
    const inspectPort = freePort();
    const edge = await spawn(
      [
        "run",
        "-A",
        ...(v8Flags ? [v8Flags] : []),
        ...(values["heap-snapshot"] || values["alloc-profile"] ? [`--inspect=127.0.0.1:${inspectPort}`] : []),
        ...(values.target === "proxy" ? [import.meta.filename!, "--serve", "proxy"] : ["edge/main.ts"]),
      ],
      {
        PATH: Deno.env.get("PATH") ?? "",
        HOME: Deno.env.get("HOME") ?? "",
        ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
        EDGE_PORT: String(port),
        EDGE_HOSTNAME: "127.0.0.1",
        CORE_URL: core.url,
        LOG_LEVEL: values["log-level"],
        WEB_APP_ENABLED: "false",
        METRICS_TOKEN: metricsToken,
        EDGE_ASSERTION_SECRET: crypto.randomUUID() + crypto.randomUUID(),
        RATE_LIMIT_IP: "1000000/1m",
        RATE_LIMIT_USER: "1000000/1m",
        RATE_LIMITS: "chat=1000000/1m,search=1000000/1m",
        ...kvEnv,
        ...Object.fromEntries(
          values["edge-env"].split(",").filter(Boolean).map((
            kv,
          ) => [kv.split("=")[0], kv.split("=").slice(1).join("=")]),
        ),
      },
      edgeUrl,
    );
    children.push(edge);

    const tokens = await Promise.all(
      Array.from(
        { length: streams },
        () => signBenchToken(privateKey, { role: "STUDENT", mfa: false, iat_ms: Date.now() }),
      ),
    );

    const snapshot = async (): Promise<Snapshot> => {
      const m = await edgeMemory(edgeUrl, metricsToken);
      return {
        rss: procMemory(edge.pid).rss,
        heapTotal: m.heap_total ?? NaN,
        heapUsed: m.heap_used ?? NaN,
        external: m.external ?? NaN,
      };
    };
    let open = 0;
    let failed = 0;
    let completed = 0;
    const failures: Record<string, number> = {};
    const failure = (why: string) => {
      failed++;
      failures[why] = (failures[why] ?? 0) + 1;
    };
    const stream = async (i: number) => {
      try {
        const res = await fetch(`${edgeUrl}/api/v1/chat/sessions/${crypto.randomUUID()}/messages`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${tokens[i]}`,
            "content-type": "application/json",
            accept: "text/event-stream",
          },
          body: JSON.stringify({ content: "How do I solve two simultaneous equations?" }),
        });
        if (res.status !== 200) {
          failure(String(res.status));
          await res.body?.cancel();
          return;
        }
        open++;
        let text = "";
        for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
          text = (text + chunk).slice(-200);
        }
        open--;
        if (text.includes("event: done")) completed++;
        else failure("unfinished");
      } catch (err) {
        failure(err instanceof Error ? err.name : "error");
      }
    };
    const run = async (n: number) => {
      const spacing = rampMs / n;
      const all: Promise<void>[] = [];
      for (let i = 0; i < n; i++) {
        all.push(stream(i));
        if (spacing >= 1 && i % Math.max(1, Math.floor(n / 100)) === 0) {
          await new Promise((r) => setTimeout(r, spacing * Math.max(1, Math.floor(n / 100))));
        }
      }
      return all;
    };

    await new Promise((r) => setTimeout(r, 1000));
    const idle = await snapshot();

    // Warm-up: a tenth of the streams, to the end, so the JIT and the pools are warm before the measure.
    await Promise.all(await run(Math.max(1, Math.floor(streams / 10))));
    await new Promise((r) => setTimeout(r, 1000));
    const warm = await snapshot();
    const warmFailed = failed;
    failed = 0;
    completed = 0;

    const peak: Snapshot = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0 };
    let sampling = true;
    let maxOpen = 0;
    const plateau: Snapshot[] = [];
    const sampler = (async () => {
      while (sampling) {
        const s = await snapshot().catch(() => undefined);
        if (s && open >= streams * 0.98) plateau.push(s);
        if (s) {
          peak.rss = Math.max(peak.rss, s.rss);
          peak.heapTotal = Math.max(peak.heapTotal, s.heapTotal);
          peak.heapUsed = Math.max(peak.heapUsed, s.heapUsed);
          peak.external = Math.max(peak.external, s.external);
        }
        maxOpen = Math.max(maxOpen, open);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const stopSampling = values["alloc-profile"] ? await allocationSampler(inspectPort) : undefined;
    const started = performance.now();
    // Closed-loop plain requests beside the streams (`--plain N` connections), as the load harness's plain classes
    // put them on an edge: a private list GET and a search POST, each signed in as the students in turn.
    const plainConnections = Number(values.plain);
    const plainRun = plainConnections > 0
      ? runAutocannon({
        url: edgeUrl,
        connections: plainConnections,
        duration: Math.round((rampMs + holdMs) / 1000),
        requests: tokens.slice(0, 200).flatMap((t): NonNullable<AutocannonOptions["requests"]> => [
          { method: "GET", path: "/api/v1/courses", headers: { authorization: `Bearer ${t}` } },
          {
            method: "POST",
            path: "/api/v1/search",
            headers: { authorization: `Bearer ${t}`, "content-type": "application/json" },
            body: JSON.stringify({ query: "simultaneous equations by substitution", limit: 10 }),
          },
        ]),
      })
      : undefined;
    const running = await run(streams);
    const allocations = stopSampling ? await stopSampling() : "";
    let heap = "";
    if (values["heap-snapshot"]) {
      while (open < streams && performance.now() - started < holdMs) {
        await new Promise((r) => setTimeout(r, 100));
      }
      heap = await heapSummary(inspectPort);
    }
    await Promise.all(running);
    const plainResult = await plainRun;
    const seconds = (performance.now() - started) / 1000;
    sampling = false;
    await sampler;
    await new Promise((r) => setTimeout(r, 2000));
    const after = await snapshot();
    const hwm = procMemory(edge.pid).hwm;

    const result = {
      streams,
      holdSeconds: holdMs / 1000,
      rampSeconds: rampMs / 1000,
      tokenMs,
      v8Flags: v8Flags ?? "",
      kv: values.kv,
      logLevel: values["log-level"],
      maxOpen,
      completed,
      failed: failed + warmFailed,
      failures,
      seconds: Math.round(seconds * 10) / 10,
      idle,
      warm,
      peak,
      after,
      peakRssKernel: hwm,
      plain: plainResult
        ? {
          connections: plainConnections,
          requests: plainResult.requests.total,
          non2xx: plainResult.non2xx,
          errors: plainResult.errors,
          p99Ms: plainResult.latency.p99,
        }
        : undefined,
      perStreamKb: Math.round(((peak.rss - warm.rss) * 1024) / Math.max(1, maxOpen)),
    };
    if (values.json) {
      console.log(JSON.stringify(result));
      return;
    }
    const mb = (n: number) => Number.isFinite(n) ? n.toFixed(1) : "–";
    const row = (name: string, s: Snapshot) =>
      `| ${name} | ${mb(s.rss)} | ${mb(s.heapTotal)} | ${mb(s.heapUsed)} | ${mb(s.external)} |`;
    console.log(
      [
        `${
          values.target === "proxy" ? "bare proxy (--target proxy)" : "edge"
        } with ${streams} streamed chats (${maxOpen} open at once at most; ${completed} completed, ${result.failed} failed${
          failed ? ` ${JSON.stringify(failures)}` : ""
        }),`,
        `each ${holdMs / 1000} s with a token every ${tokenMs} ms, opened over ${
          rampMs / 1000
        } s; KV ${values.kv};` +
        ` log level ${values["log-level"]}; edge flags: ${v8Flags ?? "(none)"}`,
        ...(result.plain
          ? [
            `beside them ${result.plain.connections} connections of plain forwarded requests (closed loop, ${
              values["plain-kb"]
            } KB answers): ${result.plain.requests} requests, ${result.plain.non2xx} non-2xx, ${result.plain.errors} errors, p99 ${result.plain.p99Ms} ms`,
          ]
          : []),
        "",
        "| when | RSS MB | V8 heap total MB | V8 heap used MB | external MB |",
        "| ---- | -----: | ---------------: | --------------: | ----------: |",
        row("idle", idle),
        row(`after ${Math.max(1, Math.floor(streams / 10))} warm-up streams`, warm),
        row(`${streams} open (peak of each)`, peak),
        ...(plateau.length
          ? [
            row(
              `lowest while ≥ 98% open (${plateau.length} samples)`,
              Object.fromEntries(
                (["rss", "heapTotal", "heapUsed", "external"] as const).map((
                  k,
                ) => [k, Math.min(...plateau.map((p) => p[k]))]),
              ) as unknown as Snapshot,
            ),
          ]
          : []),
        row("2 s after they ended", after),
        "",
        `peak RSS seen by the kernel (VmHWM): ${
          mb(hwm)
        } MB; (peak - warm) / streams open: ${result.perStreamKb} KB`,
        ...(heap ? ["", `V8 heap with ${open} streams open, by self size:`, heap] : []),
        ...(allocations
          ? ["", `Allocations while the ${streams} streams opened, by function:`, allocations]
          : []),
      ].join("\n"),
    );
  } finally {
    for (const c of children.reverse()) await c.stop();
  }
}

if (import.meta.main) {
  if (values.serve === "core") serveCore();
  else if (values.serve === "proxy") serveProxy();
  else if (values.serve === "bridge") await serveBridge();
  else await main();
}
