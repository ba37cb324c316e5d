/**
 * Where the logger's lines go by default. Writing each line with `console.log` costs a system call and the
 * console's formatting per line: on a busy server the access log alone cost more than the cached answer it
 * logged. So stdout lines are batched: written together when 32 KiB are waiting or 10 ms after the first, and
 * always before the process ends (normal exit, `Deno.exit`, an uncaught error) and before any warning or error,
 * which still go to stderr at once. A SIGKILL can lose the last 10 ms of info lines.
 *
 * With OpenTelemetry on (`OTEL_DENO=true`, and always on Deno Deploy) every line still goes through the console:
 * the runtime exports console output as OTel logs linked to the active span, and a batch would lose that link.
 */
import { ProxyTracerProvider, trace } from "@opentelemetry/api";

const FLUSH_BYTES = 32 * 1024;
const FLUSH_MS = 10;
const encoder = new TextEncoder();

let waiting: string[] = [];
let waitingBytes = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let listening = false;

/** Writes every waiting stdout line now. */
export function flushLogs(): void {
  if (timer !== undefined) {
    clearTimeout(timer);
    timer = undefined;
  }
  if (waiting.length === 0) return;
  const data = encoder.encode(waiting.join("\n") + "\n");
  waiting = [];
  waitingBytes = 0;
  try {
    for (let written = 0; written < data.length;) written += Deno.stdout.writeSync(data.subarray(written));
  } catch {
    // stdout is gone (a closed pipe): there is nowhere to write, and logging must not take the server down.
  }
}

/** Queues one stdout line. */
function writeBatched(line: string): void {
  if (!listening) {
    listening = true;
    // No listener calls preventDefault: an uncaught error still ends the process, after the flush.
    for (const event of ["unload", "error", "unhandledrejection"]) {
      globalThis.addEventListener(event, flushLogs);
    }
  }
  waiting.push(line);
  waitingBytes += line.length;
  if (waitingBytes >= FLUSH_BYTES) return flushLogs();
  if (timer === undefined) {
    const pending = setTimeout(flushLogs, FLUSH_MS);
    // A pending batch must not keep a finished process alive; `unload` writes it.
    Deno.unrefTimer(pending);
    timer = pending;
  }
}

/** Whether the runtime exports console output as OpenTelemetry logs (Deno registers its tracer provider then). */
function consoleIsExported(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) ||
    provider.getDelegate().constructor.name !== "NoopTracerProvider";
}

let exported: boolean | undefined;

/** The default sink: info and debug batched on stdout, warnings and errors on stderr at once. */
export function defaultLogSink(line: string, level: "debug" | "info" | "warn" | "error"): void {
  exported ??= consoleIsExported();
  if (level === "error" || level === "warn") {
    flushLogs();
    console.error(line);
  } else if (exported) {
    console.log(line);
  } else {
    writeBatched(line);
  }
}
