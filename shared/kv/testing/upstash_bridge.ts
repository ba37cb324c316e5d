/**
 * `deno task upstash-bridge`: serves Upstash Redis' REST protocol over a real Redis, so the real `@upstash/redis`
 * and `@upstash/ratelimit` clients run against the machine's Redis in dev and tests (the reference bridge,
 * serverless-redis-http, cannot be built here). Speaks: `POST /` (one command), `POST /pipeline`, `POST /multi-exec`,
 * bearer auth, `Upstash-Encoding: base64`, per-command `{ error }` entries and a JSON body on every non-2xx answer.
 * Scripts starting with a `#!lua flags=...` shebang have the line blanked (Redis 7.0 rejects newer flags) and their
 * EVALSHA hashes mapped, so newer `@upstash/ratelimit` versions would also run.
 *
 * Env (when run as a program): REDIS_URL (default redis://127.0.0.1:6379), UPSTASH_BRIDGE_TOKEN (default
 * "dev-token"), UPSTASH_BRIDGE_PORT (default 8079), UPSTASH_BRIDGE_HOSTNAME (default 127.0.0.1).
 */
import { Buffer } from "node:buffer";
import { Redis } from "ioredis";

/** A running bridge. */
export interface UpstashBridge {
  /** Base URL for `UPSTASH_REDIS_REST_URL`. */
  url: string;
  /** Bearer token for `UPSTASH_REDIS_REST_TOKEN`. */
  token: string;
  close(): Promise<void>;
}

/** Where the bridge listens and which Redis it serves. */
export interface UpstashBridgeOptions {
  redisUrl?: string;
  token?: string;
  port?: number;
  hostname?: string;
  /** Called with one line per problem (Redis connection errors); defaults to console.error. */
  onError?: (message: string) => void;
}

type Json = string | number | null | Json[];
type Entry = { result: Json } | { error: string };

/** Commands that would hold the bridge's one shared connection or change its protocol state. */
const REFUSED = new Set([
  "subscribe",
  "psubscribe",
  "ssubscribe",
  "monitor",
  "blpop",
  "brpop",
  "blmove",
  "brpoplpush",
  "bzpopmin",
  "bzpopmax",
  "blmpop",
  "bzmpop",
  "xread",
  "xreadgroup",
  "wait",
  "select",
  "quit",
  "reset",
  "multi",
  "exec",
  "discard",
  "watch",
  "unwatch",
  "client",
]);

/** Starts the bridge (port 0 picks a free port) and resolves once it listens. */
export async function startUpstashBridge(options: UpstashBridgeOptions = {}): Promise<UpstashBridge> {
  const token = options.token ?? "dev-token";
  const onError = options.onError ?? ((m) => console.error(`[upstash-bridge] ${m}`));
  const redis = new Redis(options.redisUrl ?? "redis://127.0.0.1:6379", {
    // Fail a command at once while Redis is unreachable instead of queueing it: the caller falls back.
    maxRetriesPerRequest: 0,
    retryStrategy: () => 500,
  });
  let lastError = "";
  redis.on("error", (err: Error) => {
    if (err.message !== lastError) onError(`redis: ${err.message}`);
    lastError = err.message;
  });
  redis.on("ready", () => (lastError = ""));
  const scripts = new ScriptShebangs();
  const expected = new TextEncoder().encode(`Bearer ${token}`);

  const handler = async (req: Request): Promise<Response> => {
    if (req.method !== "POST") return reply(405, { error: "Only POST is supported" });
    const given = new TextEncoder().encode(req.headers.get("authorization") ?? "");
    if (!sameBytes(given, expected)) return reply(401, { error: "Unauthorized" });
    const base64 = req.headers.get("upstash-encoding")?.toLowerCase() === "base64";
    let body: unknown;
    try {
      body = await req.json();
    } catch {
      return reply(400, { error: "ERR request body is not valid JSON" });
    }
    const path = new URL(req.url).pathname.replace(/\/+$/, "") || "/";
    try {
      if (path === "/") {
        const command = toCommand(body);
        if (typeof command === "string") return reply(400, { error: command });
        const [entry] = await runPipeline(redis, scripts, [command], base64);
        return "error" in entry ? reply(400, entry) : reply(200, entry);
      }
      if (path === "/pipeline" || path === "/multi-exec") {
        if (!Array.isArray(body) || body.length === 0) {
          return reply(400, { error: "ERR body must be a non-empty array of commands" });
        }
        const commands = body.map(toCommand);
        const bad = commands.find((c) => typeof c === "string");
        if (typeof bad === "string") return reply(400, { error: bad });
        const list = commands as string[][];
        if (path === "/pipeline") return reply(200, await runPipeline(redis, scripts, list, base64));
        return await runTransaction(redis, scripts, list, base64);
      }
    } catch (err) {
      // Redis itself is unreachable: a JSON body so the client raises UpstashError with the reason.
      return reply(503, {
        error: `ERR redis unavailable: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
    return reply(404, { error: `ERR unknown path ${path}` });
  };

  const server = await new Promise<Deno.HttpServer<Deno.NetAddr>>((resolve) => {
    const s: Deno.HttpServer<Deno.NetAddr> = Deno.serve({
      port: options.port ?? 0,
      hostname: options.hostname ?? "127.0.0.1",
      onListen: () => queueMicrotask(() => resolve(s)),
    }, handler);
  });
  const host = server.addr.hostname.includes(":") ? `[${server.addr.hostname}]` : server.addr.hostname;
  return {
    url: `http://${host}:${server.addr.port}`,
    token,
    close: async () => {
      await server.shutdown();
      redis.disconnect();
    },
  };
}

function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** A command as Redis arguments, or an error message. */
function toCommand(raw: unknown): string[] | string {
  if (!Array.isArray(raw) || raw.length === 0 || typeof raw[0] !== "string") {
    return "ERR a command is a non-empty array starting with its name";
  }
  const args = raw.map((a) => a === null ? "" : typeof a === "object" ? JSON.stringify(a) : String(a));
  if (REFUSED.has(args[0].toLowerCase())) return `ERR command not supported over REST: ${args[0]}`;
  // Upper case: ioredis reshapes some replies of lower-case names (HGETALL into an object); Redis does not care.
  args[0] = args[0].toUpperCase();
  return args;
}

/** Converts a Redis reply to JSON: bulk strings base64 (or UTF-8), numbers and null raw, arrays recursively. */
function encode(value: unknown, base64: boolean): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map((v) => encode(v, base64));
  const bytes = value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(String(value));
  return base64 ? bytes.toString("base64") : bytes.toString("utf8");
}

/** A command's entry; throws when the error is about reaching Redis rather than Redis' answer. */
function entryOf([err, value]: [Error | null, unknown], base64: boolean): Entry {
  if (err && err.name !== "ReplyError") throw err;
  return err ? { error: err.message } : { result: encode(value, base64) };
}

async function runPipeline(
  redis: Redis,
  scripts: ScriptShebangs,
  commands: string[][],
  base64: boolean,
): Promise<Entry[]> {
  const pipeline = redis.pipeline();
  for (const c of commands) {
    const [name, ...args] = await scripts.rewrite(c);
    pipeline.callBuffer(name, ...args);
  }
  const results = (await pipeline.exec()) ?? [];
  return results.map((r) => entryOf(r as [Error | null, unknown], base64));
}

async function runTransaction(
  redis: Redis,
  scripts: ScriptShebangs,
  commands: string[][],
  base64: boolean,
): Promise<Response> {
  const multi = redis.multi();
  for (const c of commands) {
    const [name, ...args] = await scripts.rewrite(c);
    multi.callBuffer(name, ...args);
  }
  try {
    const results = (await multi.exec()) ?? [];
    return reply(200, results.map((r) => entryOf(r as [Error | null, unknown], base64)));
  } catch (err) {
    // EXECABORT: a command was refused while queueing, so nothing ran. Name the first reason.
    const previous = (err as { previousErrors?: Error[] }).previousErrors?.[0]?.message;
    const message = err instanceof Error ? err.message : String(err);
    if (!message.startsWith("EXECABORT")) throw err;
    return reply(400, { error: previous ? `${message} ${previous}` : message });
  }
}

/** Blanks `#!lua ...` shebang lines and remembers which EVALSHA hash stands for which rewritten script. */
class ScriptShebangs {
  #shaMap = new Map<string, string>();

  async rewrite(command: string[]): Promise<string[]> {
    const name = command[0].toLowerCase();
    if ((name === "eval" || name === "eval_ro") && command[1]?.startsWith("#!")) {
      const stripped = await this.#strip(command[1]);
      return [command[0], stripped, ...command.slice(2)];
    }
    if (name === "script" && command[1]?.toLowerCase() === "load" && command[2]?.startsWith("#!")) {
      return [command[0], command[1], await this.#strip(command[2])];
    }
    if ((name === "evalsha" || name === "evalsha_ro") && this.#shaMap.has(command[1]?.toLowerCase())) {
      return [command[0], this.#shaMap.get(command[1].toLowerCase())!, ...command.slice(2)];
    }
    return command;
  }

  async #strip(script: string): Promise<string> {
    const newline = script.indexOf("\n");
    // The line is blanked, not removed, so Redis' error line numbers still match the client's script.
    const stripped = newline === -1 ? "" : script.slice(newline);
    this.#shaMap.set(await sha1(script), await sha1(stripped));
    return stripped;
  }
}

async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

if (import.meta.main) {
  const env = Deno.env.toObject();
  const bridge = await startUpstashBridge({
    redisUrl: env.REDIS_URL,
    token: env.UPSTASH_BRIDGE_TOKEN,
    port: Number(env.UPSTASH_BRIDGE_PORT ?? 8079),
    hostname: env.UPSTASH_BRIDGE_HOSTNAME,
  });
  console.log(`Upstash REST bridge on ${bridge.url} over ${env.REDIS_URL ?? "redis://127.0.0.1:6379"}
  UPSTASH_REDIS_REST_URL=${bridge.url}
  UPSTASH_REDIS_REST_TOKEN=${bridge.token}`);
  const stop = async () => {
    await bridge.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
