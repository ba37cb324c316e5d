/**
 * The edge's cached GET for profiling: the real edge handler (`edge/main.ts`: info-level access log to stdout, rate
 * limiting on, in-process KV) served on a port, with a stand-in core reached through an injected fetch, loaded by
 * autocannon from its own process. One server process and nothing else, so it can run under `--cpu-prof`:
 *
 *   deno run -A --cpu-prof --cpu-prof-dir=/tmp/prof tools/bench/edge_inprocess.ts --duration 10 > /dev/null
 *
 * Prints (to stderr) the HIT's req/s. For ratios against hello-world and the same-headers ceiling use
 * `deno task bench:edge`; this is where to look for where the time goes.
 */
import { exportJWK, generateKeyPair } from "jose";
import { parseArgs } from "node:util";
import { BENCH_KID, signBenchToken } from "./token.ts";
import { loadEdgeEnv } from "../../edge/env.ts";
import { buildEdgeServices, edgeHandler } from "../../edge/main.ts";
import { runAutocannon } from "../load/autocannon.ts";
import { Hono } from "hono";
import process from "node:process";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    duration: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "50" },
    /** Requests per round instead of a duration (for whole-process timings of a fixed amount of work). */
    amount: { type: "string" },
    /** Only the edge (for a profile of its work alone). */
    "edge-only": { type: "boolean", default: false },
  },
});

const CORE = "http://core.bench";
const { publicKey, privateKey } = await generateKeyPair("EdDSA");
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: BENCH_KID, alg: "EdDSA", use: "sig" }] };
const catalog = JSON.stringify({ faculties: ["Science", "Arts", "Engineering", "Medicine"] });
const coreFetch = ((input: RequestInfo | URL) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.pathname === "/.well-known/jwks.json") return Promise.resolve(Response.json(jwks));
  if (url.pathname === "/v1/faculties") {
    return Promise.resolve(
      new Response(catalog, {
        headers: {
          "content-type": "application/json",
          ETag: '"f1"',
          "Cache-Control": "public, max-age=3600",
        },
      }),
    );
  }
  return Promise.resolve(new Response("not found", { status: 404 }));
}) as typeof fetch;

const token = await signBenchToken(privateKey, { role: "STUDENT", mfa: false });

const env = loadEdgeEnv({
  CORE_URL: CORE,
  EDGE_ASSERTION_SECRET: "x".repeat(64),
  RATE_LIMIT_IP: "1000000000/1m",
  RATE_LIMIT_USER: "1000000000/1m",
  RATE_LIMITS: "",
  WEB_APP_ENABLED: "false",
  LOG_LEVEL: Deno.env.get("LOG_LEVEL") ?? "info",
});
const handler = edgeHandler(buildEdgeServices(env, { fetch: coreFetch }));
const info = {
  remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 40000 },
} as Deno.ServeHandlerInfo;
const url = "http://127.0.0.1:8080/api/v1/faculties";
const init = { headers: { authorization: `Bearer ${token}`, host: "127.0.0.1:8080", "user-agent": "bench" } };

const first = await handler(new Request(url, init), info);
await first.body?.cancel();
const check = await handler(new Request(url, init), info);
if (check.headers.get("x-cache") !== "HIT") {
  throw new Error(`expected a HIT, got ${check.headers.get("x-cache")}`);
}
const checkBody = new Uint8Array(await check.arrayBuffer());
const hitHeaders: [string, string][] = [];
check.headers.forEach((v, k) => {
  if (k !== "content-length" && k !== "date") hitHeaders.push([k, v]);
});

// Each target is served on a port and loaded by autocannon from its own process, so responses go through Deno's
// real serve path (a Response that is never sent keeps its prepared native headers until GC, which distorts an
// in-loop timing). The figure kept is this process's CPU time per request (user + system, `process.cpuUsage`):
// unlike req/s it hardly moves when other processes load the machine.
const hello = new Hono().get("/", (c) => c.text("Hello Hono!"));
const targets: [string, Deno.ServeHandler, string][] = [
  ["hello-world Hono", hello.fetch, "/"],
  ["bare Deno.serve, HIT headers", () => new Response(checkBody, { headers: hitHeaders }), "/"],
  ["edge, cached GET (HIT)", handler, "/api/v1/faculties"],
];
const headers = { authorization: `Bearer ${token}` };
const results: { name: string; cpuUs: number; sysUs: number; rps: number }[] = [];
for (const [name, serveHandler, path] of values["edge-only"] ? targets.slice(2) : targets) {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, serveHandler);
  const target = `http://127.0.0.1:${server.addr.port}${path}`;
  const connections = Number(values.connections);
  const amount = values.amount ? { amount: Number(values.amount) } : {};
  await runAutocannon({ url: target, connections, duration: 1, headers });
  let best = { cpuUs: Infinity, sysUs: 0, rps: 0 };
  for (let r = 0; r < Number(values.rounds); r++) {
    const before = process.cpuUsage();
    const result = await runAutocannon({
      url: target,
      connections,
      duration: Number(values.duration),
      headers,
      ...amount,
    });
    const used = process.cpuUsage(before);
    if (result.non2xx + result.errors > 0) {
      throw new Error(`${name}: ${result.non2xx + result.errors} failed`);
    }
    const cpuUs = (used.user + used.system) / result.requests.total;
    if (cpuUs < best.cpuUs) {
      best = { cpuUs, sysUs: used.system / result.requests.total, rps: result.requests.average };
    }
  }
  await server.shutdown();
  results.push({ name, ...best });
}
const [helloRun, floorRun, edgeRun] = values["edge-only"] ? [results[0], results[0], results[0]] : results;
for (const { name, cpuUs, sysUs, rps } of results) {
  console.error(
    `${name.padEnd(30)} ${cpuUs.toFixed(1).padStart(6)} µs CPU/request (${sysUs.toFixed(1)} system)  ${
      (helloRun.cpuUs / cpuUs).toFixed(2)
    }x of hello  (${Math.round(rps)} req/s)`,
  );
}
console.error(
  `edge / ceiling by CPU per request: ${
    (floorRun.cpuUs / edgeRun.cpuUs).toFixed(2)
  }x (target >= 0.6x); best of ${values.rounds} x ${values.duration} s, autocannon -c${values.connections}`,
);
