import { AsyncLocalStorage } from "node:async_hooks";
import { defaultLogSink } from "./log_output.ts";

/** Severity of a log line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** What a request carries through every log line it causes. */
export interface LogContext {
  requestId: string;
  userId?: string;
}

/** Request-scoped context, so every log line written while serving a request names its request id. */
export const logContext = new AsyncLocalStorage<LogContext>();

/** Structured JSON logger; one line per event on stdout (warnings and errors on stderr; see log_output.ts). */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Whether lines of `level` are written (so a caller can skip building fields nobody reads). */
  enabled(level: LogLevel): boolean;
  child(fields: Record<string, unknown>): Logger;
}

/** Where log lines go; tests pass an array sink to read them. */
export type LogSink = (line: string, level: LogLevel) => void;

/** Creates a logger for one service ("edge", "core", "workers"). */
export function createLogger(
  service: string,
  options: { level?: LogLevel; sink?: LogSink; fields?: Record<string, unknown> } = {},
): Logger {
  const min = LEVELS[options.level ?? "info"];
  const sink = options.sink ?? defaultLogSink;
  const base = options.fields ?? {};
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    const ctx = logContext.getStore();
    const line: Record<string, unknown> = {
      timestamp: isoNow(),
      level,
      service,
      msg,
      ...(ctx ? { requestId: ctx.requestId, ...(ctx.userId ? { userId: ctx.userId } : {}) } : {}),
      ...base,
      ...fields,
    };
    // The replacer (for Error values) takes JSON.stringify off V8's fast path: most lines, the access log's among
    // them, hold only primitives and need none.
    sink(JSON.stringify(line, flat(base) && flat(fields) ? undefined : errorReplacer), level);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    enabled: (level) => LEVELS[level] >= min,
    child: (fields) => createLogger(service, { ...options, fields: { ...base, ...fields } }),
  };
}

/** Whether every value of `fields` is a primitive (nothing for `errorReplacer` to rewrite). */
function flat(fields: Record<string, unknown> | undefined): boolean {
  for (const key in fields) {
    const value = fields[key];
    if (value !== null && typeof value === "object") return false;
  }
  return true;
}

let isoMs = 0;
let iso = "";

/** The current time as ISO 8601, formatted once per millisecond (a busy server logs many lines per ms). */
function isoNow(): string {
  const ms = Date.now();
  if (ms !== isoMs) {
    isoMs = ms;
    iso = new Date(ms).toISOString();
  }
  return iso;
}

/**
 * A failed database query (drizzle's `DrizzleQueryError`: `query`, `params`, `cause`) as a log may show it: the
 * statement and the SQLSTATE code, never parameter values, which carry password hashes, emails and whatever else
 * a row holds. Its own message and stack embed the values, and the driver's message may quote one (`invalid input
 * syntax for type uuid: "…"`), so none of them is logged; the stack frames are kept.
 */
function queryErrorFields(err: Error & { query: string }) {
  const cause = err.cause as { code?: unknown } | undefined;
  const frames = err.stack?.split("\n").filter((line) => /^\s+at /.test(line)).join("\n");
  return {
    name: "DatabaseQueryError",
    message: `Failed query: ${err.query}`,
    query: err.query,
    ...(typeof cause?.code === "string" ? { code: cause.code } : {}),
    stack: frames,
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const failed = value as Error & { query?: unknown; params?: unknown };
    if (typeof failed.query === "string" && "params" in failed) {
      return queryErrorFields(failed as Error & { query: string });
    }
    return { name: value.name, message: value.message, stack: value.stack };
  }
  return value;
}

/** A logger that keeps its lines in memory, for tests. */
export function memoryLogger(service = "test"): Logger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(service, { level: "debug", sink: (line) => lines.push(JSON.parse(line)) });
  return Object.assign(logger, { lines });
}
