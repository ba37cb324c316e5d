/**
 * `deno task bench:edge`: the edge's cost, measured against 127.0.0.1 with wrk when it is installed
 * (`apt-get install wrk`), else with autocannon from npm (a JavaScript client: it saturates sooner than wrk, so its
 * req/s are lower and its ratios closer to 1; compare runs made with the same tool).
 *
 * 1. Throughput: the edge serving a cached catalog GET vs a bare Hono hello-world, same run, same wrk settings
 *    (target ≥ 0.5×).
 * 2. Added latency of the edge hop: a forwarded request carrying `Authorization` (a private answer, so the edge
 *    forwards it every time) through the edge vs the same request straight to core, one connection, one request
 *    at a time, each timed on its own (tools/bench/latency.ts), p50 (target ≤ 1 ms) and p99 (target ≤ 2 ms).
 *
 * Each server runs in its own process (this file re-run with `--serve <role>`), as in production, and every
 * throughput target gets the same request (the signed-in caller's `Authorization` header; the hellos ignore it). The
 * edge runs its real app (`edge/main.ts` handler) with rate limiting on (a limit high enough never to refuse) on the
 * in-process KV; with `--kv upstash` (and Redis at REDIS_URL) it uses Upstash through the bridge instead. It logs at
 * info, as deployed (one access-log line per request, to a pipe this process drains); `--log-level warn` leaves the
 * access log out.
 * Two more targets place the gap: hello on the tiers' shared base app (what every tier pays), and a bare
 * `Deno.serve` answering the edge's cached body with exactly the headers the edge's HIT carries (security, CORS,
 * rate-limit, cache headers): the most any app sending those headers can do on this runtime. And the same cached
 * GET written with Hono's stock middleware (`jwk` against the same JWKS, `secureHeaders`, `cors`, `requestId`,
 * the answer kept in a variable): what the edge would cost built the obvious way.
 * The edge runs with the V8 flags of deno.json's `start:edge` (what production runs: a 2 MB young generation);
 * `--v8-flags=` runs it with none, `--v8-flags=--max-semi-space-size=4` with others, to price a flag in CPU.
 * Flags: --duration 5 (seconds per run), --rounds 3 (throughput rounds, best of each kept), --connections 50.
 */
import { Hono } from "hono";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { BENCH_KID, signBenchToken } from "./token.ts";
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, ACCESS_TOKEN_TYP } from "../../shared/access_token.ts";
import { parseArgs } from "node:util";
import type { LogLevel } from "../../shared/logger.ts";
import { runAutocannon } from "../load/autocannon.ts";
import { type LatencyRun, sequentialLatency } from "./latency.ts";
import { edgeV8Flags } from "./v8_flags.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    serve: { type: "string" },
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "50" },
    kv: { type: "string", default: "memory" },
    port: { type: "string", default: "0" },
    rounds: { type: "string", default: "3" },
    "log-level": { type: "string", default: "info" },
    "v8-flags": { type: "string" },
  },
});

/** The `--v8-flags=…` the edge runs with: deno.json's `start:edge` ones unless `--v8-flags` says otherwise. */
function edgeFlags(): string[] {
  const given = values["v8-flags"];
  if (given === undefined) {
    const flags = edgeV8Flags(Deno.readTextFileSync(new URL("../../deno.json", import.meta.url)));
    return flags ? [flags] : [];
  }
  if (given === "" || given === "--v8-flags=") return [];
  return [given.startsWith("--v8-flags=") ? given : `--v8-flags=${given}`];
}

/** Child-process roles: a hello-world, a stand-in core, the bridge, or the real edge. */
async function serve(role: string) {
  const port = Number(values.port);
  if (role === "bridge") {
    const { startUpstashBridge } = await import("../../shared/kv/testing/upstash_bridge.ts");
    const bridge = await startUpstashBridge({ redisUrl: Deno.env.get("REDIS_URL"), token: "bench" });
    console.log(JSON.stringify({ url: bridge.url }));
    return;
  }
  let handler: Deno.ServeHandler;
  if (role === "hello") {
    const app = new Hono().get("/", (c) => c.text("Hello Hono!"));
    handler = app.fetch;
  } else if (role === "service-hello") {
    // The same hello on the tiers' shared base app (request id, log context, metrics, body limit): separates the
    // base's cost from the edge's own.
    const { createServiceApp } = await import("../../shared/http/service_app.ts");
    const { createLogger } = await import("../../shared/logger.ts");
    const { createMetrics } = await import("../../shared/metrics.ts");
    const app = createServiceApp({
      service: "hello",
      logger: createLogger("hello", { level: Deno.env.get("LOG_LEVEL") as LogLevel }),
      metrics: createMetrics("hello"),
      trustRequestId: false,
      bodyLimitBytes: 1_048_576,
      readiness: {},
    });
    app.get("/", (c) => c.text("Hello Hono!"));
    handler = app.fetch;
  } else if (role === "core") {
    // Stand-in core: a public catalog answer with an ETag, a private per-user answer, and the JWKS the edge
    // verifies the benchmark's access token with (the key comes from the parent in BENCH_JWK).
    const { d: _private, ...publicJwk } = JSON.parse(Deno.env.get("BENCH_JWK")!) as JWK;
    const jwks = { keys: [{ ...publicJwk, kid: BENCH_KID, alg: "EdDSA", use: "sig" }] };
    const catalog = JSON.stringify({ faculties: ["Science", "Arts", "Engineering", "Medicine"] });
    const app = new Hono()
      .get("/.well-known/jwks.json", (c) => c.json(jwks))
      .get("/v1/faculties", (c) =>
        c.body(catalog, 200, {
          "content-type": "application/json",
          ETag: '"f1"',
          "Cache-Control": "public, max-age=3600",
        }))
      .get("/v1/me", (c) =>
        c.json({ auth: c.req.header("authorization")?.length ?? 0 }, 200, {
          "Cache-Control": "private",
        }));
    handler = app.fetch;
  } else if (role === "stock") {
    // The cached GET with Hono's stock middleware: JWT checked against core's JWKS by `hono/jwk`, its secure
    // headers, CORS and request id, and core's answer fetched once and kept.
    const { jwk } = await import("hono/jwk");
    const { secureHeaders } = await import("hono/secure-headers");
    const { cors } = await import("hono/cors");
    const { requestId } = await import("hono/request-id");
    const coreUrl = Deno.env.get("CORE_URL")!;
    let cached: { body: string; etag: string } | undefined;
    const app = new Hono();
    app.use("*", requestId(), secureHeaders(), cors({ origin: "https://app.example", credentials: true }));
    // The access token's header says `typ: at+jwt` (RFC 9068), and Hono accepts only `JWT` unless told; without
    // `verification.typ` every request was refused with a 401, and the bench measured refusals.
    app.use(
      "/api/*",
      jwk({
        jwks_uri: `${coreUrl}/.well-known/jwks.json`,
        alg: ["EdDSA"],
        verification: { typ: ACCESS_TOKEN_TYP, iss: ACCESS_TOKEN_ISSUER, aud: ACCESS_TOKEN_AUDIENCE },
      }),
    );
    app.get("/api/v1/faculties", async (c) => {
      if (!cached) {
        const res = await fetch(`${coreUrl}/v1/faculties`);
        cached = { body: await res.text(), etag: res.headers.get("etag") ?? "" };
      }
      return c.body(cached.body, 200, {
        "content-type": "application/json",
        ETag: cached.etag,
        "Cache-Control": "public, max-age=3600",
        "X-Cache": "HIT",
      });
    });
    handler = app.fetch;
  } else if (role === "floor") {
    // No app at all: the edge's cached body with the edge's HIT headers, built per request as any handler must.
    const headers = JSON.parse(Deno.env.get("BENCH_FLOOR_HEADERS")!) as [string, string][];
    const body = new TextEncoder().encode(Deno.env.get("BENCH_FLOOR_BODY")!);
    handler = () => new Response(body, { headers });
  } else if (role === "edge") {
    const { loadEdgeEnv } = await import("../../edge/env.ts");
    const { buildEdgeServices, edgeHandler } = await import("../../edge/main.ts");
    handler = edgeHandler(buildEdgeServices(loadEdgeEnv())) as Deno.ServeHandler;
  } else {
    throw new Error(`unknown role "${role}"`);
  }
  Deno.serve({
    port,
    hostname: "127.0.0.1",
    onListen: (addr) => console.log(JSON.stringify({ url: `http://127.0.0.1:${addr.port}` })),
  }, handler);
}

interface Child {
  url: string;
  stop(): Promise<void>;
}

async function spawn(
  role: string,
  env: Record<string, string> = {},
  runFlags: string[] = [],
): Promise<Child> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...runFlags, import.meta.filename!, "--serve", role],
    env: { LOG_LEVEL: values["log-level"], ...env },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${role} exited before listening`);
    text += value;
  }
  const { url } = JSON.parse(text.split("\n")[0]);
  const drained = (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
      await drained;
    },
  };
}

interface WrkResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

let wrkInstalled: boolean | undefined;

/** Whether wrk is on the PATH. */
async function hasWrk(): Promise<boolean> {
  if (wrkInstalled === undefined) {
    try {
      wrkInstalled = (await new Deno.Command("wrk", { args: ["--version"], stdout: "null", stderr: "null" })
        .output()).code <= 1;
    } catch {
      wrkInstalled = false;
    }
  }
  return wrkInstalled;
}

/** A throughput run with wrk when installed, else autocannon; `headers` as `Name: value` lines. */
async function load(url: string, connections: number, seconds: number, headers: string[] = []) {
  if (await hasWrk()) return await wrk(url, connections, seconds, headers);
  const result = await runAutocannon({
    url,
    connections,
    duration: seconds,
    headers: Object.fromEntries(
      headers.map((h) => [h.slice(0, h.indexOf(":")), h.slice(h.indexOf(":") + 1).trim()]),
    ),
  });
  return {
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx + result.errors,
  };
}

async function wrk(
  url: string,
  connections: number,
  seconds: number,
  headers: string[] = [],
): Promise<WrkResult> {
  const args = [
    "-t1",
    `-c${connections}`,
    `-d${seconds}s`,
    "--latency",
    ...headers.flatMap((h) => ["-H", h]),
    url,
  ];
  const out = await new Deno.Command("wrk", { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`wrk failed: ${new TextDecoder().decode(out.stderr)}`);
  const ms = (label: string) => {
    const m = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`).exec(text);
    if (!m) return NaN;
    return Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1);
  };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN),
    p50Ms: ms("50%"),
    p99Ms: ms("99%"),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0),
  };
}

async function main() {
  const seconds = Number(values.duration);
  const connections = Number(values.connections);
  const children: Child[] = [];
  let keyPrefix: string | undefined;
  try {
    const hello = await spawn("hello");
    const serviceHello = await spawn("service-hello");
    // A real access token: the edge verifies it against the stand-in core's JWKS like any other.
    const { privateKey } = await generateKeyPair("EdDSA", { extractable: true });
    const jwk = await exportJWK(privateKey);
    const token = await signBenchToken(privateKey, { role: "STUDENT", mfa: false });
    const auth = [`Authorization: Bearer ${token}`];
    const core = await spawn("core", { BENCH_JWK: JSON.stringify(jwk) });
    children.push(hello, serviceHello, core);
    const edgeEnv: Record<string, string> = {
      CORE_URL: core.url,
      EDGE_ASSERTION_SECRET: crypto.randomUUID() + crypto.randomUUID(),
      RATE_LIMIT_IP: "1000000000/1m",
      RATE_LIMIT_USER: "1000000000/1m",
      RATE_LIMITS: "",
    };
    if (values.kv === "upstash") {
      const bridge = await spawn("bridge", {
        REDIS_URL: Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379",
      });
      children.push(bridge);
      Object.assign(edgeEnv, {
        UPSTASH_REDIS_REST_URL: bridge.url,
        UPSTASH_REDIS_REST_TOKEN: "bench",
        KV_KEY_PREFIX: keyPrefix = `bench:${crypto.randomUUID().slice(0, 8)}:`,
      });
    }
    const edge = await spawn("edge", edgeEnv, edgeFlags());
    children.push(edge);

    const cachedUrl = `${edge.url}/api/v1/faculties`;
    const headers = { authorization: auth[0].slice("Authorization: ".length) };
    const warm = await fetch(cachedUrl, { headers });
    await warm.body?.cancel();
    const check = await fetch(cachedUrl, { headers });
    const checkBody = await check.text();
    if (check.headers.get("x-cache") !== "HIT") {
      throw new Error(`expected a cache HIT, got ${check.headers.get("x-cache")}`);
    }
    const hitHeaders: [string, string][] = [];
    check.headers.forEach((v, k) => {
      if (k !== "date" && k !== "content-length") hitHeaders.push([k, v]);
    });
    const floor = await spawn("floor", {
      BENCH_FLOOR_HEADERS: JSON.stringify(hitHeaders),
      BENCH_FLOOR_BODY: checkBody,
    });
    children.push(floor);
    const stock = await spawn("stock", { CORE_URL: core.url });
    children.push(stock);

    // Warm-up runs so JIT state is comparable, then rounds alternating the targets: on a shared machine the load
    // drifts, so each target's best round is compared (interleaving exposes them to the same drift). Every target
    // gets the same request headers.
    const targets = [
      `${hello.url}/`,
      `${serviceHello.url}/`,
      `${floor.url}/`,
      cachedUrl,
      `${stock.url}/api/v1/faculties`,
    ];
    for (const url of targets) await load(url, connections, 1, auth);
    const rounds = Number(values.rounds);
    const best = (runs: WrkResult[]) => runs.reduce((a, b) => b.rps > a.rps ? b : a);
    const runs: WrkResult[][] = targets.map(() => []);
    for (let r = 0; r < rounds; r++) {
      for (const [i, url] of targets.entries()) runs[i].push(await load(url, connections, seconds, auth));
    }
    const [helloRun, baseRun, floorRun, cachedRun, stockRun] = runs.map(best);

    // The hop: one request at a time, each timed; rounds alternate direct and through the edge, best p99 kept.
    const direct: LatencyRun[] = [];
    const viaEdge: LatencyRun[] = [];
    await sequentialLatency(`${core.url}/v1/me`, 1, headers);
    await sequentialLatency(`${edge.url}/api/v1/me`, 1, headers);
    for (let r = 0; r < rounds; r++) {
      direct.push(await sequentialLatency(`${core.url}/v1/me`, seconds, headers));
      viaEdge.push(await sequentialLatency(`${edge.url}/api/v1/me`, seconds, headers));
    }
    const lowest = (runs: LatencyRun[]) => runs.reduce((a, b) => b.p99Ms < a.p99Ms ? b : a);
    const directRun = lowest(direct);
    const viaEdgeRun = lowest(viaEdge);

    // Every target must answer 2xx: a refused request is cheap, and a ratio against refusals means nothing (the
    // stock version answered 401 to every request until its `typ` was set).
    for (const run of [helloRun, baseRun, floorRun, cachedRun, stockRun, viaEdgeRun]) {
      if (run.non2xx > 0) {
        throw new Error(`${run.non2xx} requests were refused: the measurement is not valid`);
      }
    }
    const ratio = cachedRun.rps / helloRun.rps;
    const added = viaEdgeRun.p50Ms - directRun.p50Ms;
    const tool = (await hasWrk()) ? "wrk -t1" : "autocannon";
    const fmt = (n: number) => Math.round(n).toLocaleString("en");
    console.log(
      `edge benchmark (kv=${values.kv}, log level ${values["log-level"]}, edge ${
        edgeFlags().join(" ") || "without V8 flags"
      }, ${tool} -c${connections} -d${seconds}s, best of ${rounds} rounds; latency: one connection, sequential)
  hello-world Hono            ${fmt(helloRun.rps)} req/s
  hello on the base app       ${fmt(baseRun.rps)} req/s   ${
        (baseRun.rps / helloRun.rps).toFixed(2)
      }x (createServiceApp: request id, access log, metrics)
  bare Deno.serve, HIT headers ${fmt(floorRun.rps)} req/s   ${
        (floorRun.rps / helloRun.rps).toFixed(2)
      }x (no app; the ${hitHeaders.length} headers of the edge's HIT: the ceiling for any app sending them)
  edge, cached GET (HIT)      ${fmt(cachedRun.rps)} req/s   ratio ${ratio.toFixed(2)}x (target >= 0.5x) ${
        ratio >= 0.5 ? "PASS" : "FAIL"
      }; ${(cachedRun.rps / floorRun.rps).toFixed(2)}x of the ceiling (target >= 0.6x) ${
        cachedRun.rps / floorRun.rps >= 0.6 ? "PASS" : "FAIL"
      }
  stock Hono (jwk, secureHeaders, cors, requestId) ${fmt(stockRun.rps)} req/s; edge is ${
        (cachedRun.rps / stockRun.rps).toFixed(1)
      }x of it (target >= 8x) ${cachedRun.rps / stockRun.rps >= 8 ? "PASS" : "FAIL"}
  core direct, p50 / p99      ${directRun.p50Ms.toFixed(3)} / ${
        directRun.p99Ms.toFixed(3)
      } ms (${directRun.count} requests)
  through edge, p50 / p99     ${viaEdgeRun.p50Ms.toFixed(3)} / ${
        viaEdgeRun.p99Ms.toFixed(3)
      } ms (${viaEdgeRun.count} requests)
  added by the edge hop, p50  ${added.toFixed(3)} ms (target <= 1 ms) ${added <= 1 ? "PASS" : "FAIL"}
  edge hop p99                ${viaEdgeRun.p99Ms.toFixed(3)} ms (target <= 2 ms) ${
        viaEdgeRun.p99Ms <= 2 ? "PASS" : "FAIL"
      }`,
    );
    const errors = cachedRun.non2xx + viaEdgeRun.non2xx + directRun.non2xx;
    if (errors > 0) console.log(`  warning: ${errors} non-2xx responses during the runs`);
  } finally {
    for (const c of children.reverse()) await c.stop();
    if (keyPrefix) {
      const { deleteKeys } = await import("../../shared/kv/testing.ts");
      await deleteKeys(keyPrefix);
    }
  }
}

if (values.serve) await serve(values.serve);
else await main();
