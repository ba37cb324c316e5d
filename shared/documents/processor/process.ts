/**
 * Document processing in a pool of child processes, so that no file can stall the serving event loop: each child
 * runs `child.ts` with read access to the project only, a V8 heap ceiling (`--max-old-space-size`), and a watchdog
 * here that kills it when one extraction passes its wall time or the child's resident memory passes twice the heap
 * ceiling. A killed or crashed child is replaced on the next request; the request it was running fails with the
 * reason. The offline embedder (TensorFlow.js) runs in the same children. The children run at a lower scheduling
 * priority (`nice`) than the serving process: on a machine with few cores, a request waits for the CPU behind
 * extraction and embedding otherwise.
 */
import { setPriority } from "node:os";
import type { Embedder } from "../../rag/embedder/interface.ts";
import type { Logger } from "../../logger.ts";
import type { ChunkOptions } from "../chunker.ts";
import { DocumentError, type DocumentFailure } from "../errors.ts";
import type { DocumentLimits } from "../limits.ts";
import type { Chunk } from "../types.ts";
import { encodeFrame, type Frame, readFrames } from "./frames.ts";
import {
  type DocumentProcessor,
  ProcessorClosedError,
  ProcessorCrashedError,
  type ProcessorResult,
} from "./interface.ts";

/** Settings of the pool. */
export interface ProcessPoolOptions {
  /** Child processes at most (started on demand). */
  size: number;
  /** Wall time of one extraction before its child is killed. */
  timeoutMs: number;
  /** V8 heap ceiling of each child, in MiB; its resident size may reach twice this before it is killed. */
  memoryMb: number;
  limits: DocumentLimits;
  chunkOptions: ChunkOptions;
  /** The configured embedder; with `offloadEmbedding` its `embed` runs in the children instead. */
  embedder: Embedder;
  /** True for the offline embedder (TensorFlow.js computes on the CPU): embed in the children. */
  offloadEmbedding: boolean;
  /** Wall time of one embedding batch before its child is killed (default 120 s). */
  embedTimeoutMs?: number;
  /**
   * Niceness of the children, 0–19 (default 10): how far below the serving process they are scheduled when both
   * want a CPU. 0 leaves them at the serving process's priority.
   */
  nice?: number;
  logger?: Logger;
}

interface Running {
  onFrame(frame: Frame): void;
  onExit(status: Deno.CommandStatus): void;
}

interface Child {
  proc: Deno.ChildProcess;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  current?: Running;
  killedFor?: "timeout" | "memory" | "close";
  stderrTail: string;
  stderrDone: Promise<void>;
  /** Resolves when the child has loaded its modules; rejects if it dies first. */
  ready: Promise<void>;
}

const ROOT = new URL("../../../", import.meta.url);
const CHILD = new URL("./child.ts", import.meta.url);
const OOM = /out of memory|heap limit|allocation failed/i;
/** Niceness of the children unless configured. */
export const DEFAULT_NICE = 10;
/** How often a busy child's resident size is read. */
const RSS_POLL_MS = 250;

function childArgs(memoryMb: number): string[] {
  const args = [
    "run",
    "--quiet",
    "--no-prompt",
    `--allow-read=${decodeURIComponent(ROOT.pathname)}`,
    `--v8-flags=--max-old-space-size=${memoryMb}`,
  ];
  try {
    const config = new URL("deno.json", ROOT);
    Deno.statSync(config);
    args.push("--config", decodeURIComponent(config.pathname));
  } catch {
    // No config next to the code (an unusual layout): deno finds one from the working directory.
  }
  return [...args, decodeURIComponent(CHILD.pathname)];
}

async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = status.match(/^VmRSS:\s+(\d+)\s+kB/m)?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined; // not Linux, or the child is gone
  }
}

/**
 * Sets the niceness of every thread of a process (on Linux each thread has its own, and a thread inherits the one
 * of the thread that starts it; `/proc` lists them), or of the process elsewhere. Lowering one's own children needs
 * no privilege, but Deno asks for `--allow-sys=setPriority`; without it (or on an error) nothing is changed and the
 * reason is returned.
 */
export function reniceProcess(pid: number, nice: number): string | undefined {
  let ids = [pid];
  try {
    ids = [...Deno.readDirSync(`/proc/${pid}/task`)].map((e) => Number(e.name));
  } catch {
    // not Linux, or no read access to /proc: the process alone
  }
  try {
    for (const id of ids) {
      try {
        setPriority(id, nice);
      } catch (err) {
        // A thread that ended meanwhile; anything else (permission) is reported.
        if (!String((err as Error)?.message).includes("ESRCH")) throw err;
      }
    }
  } catch (err) {
    return (err as Error).message;
  }
}

/** A pool of document-processing child processes behind the `DocumentProcessor` interface. */
export class ProcessPool implements DocumentProcessor {
  readonly kind = "process" as const;
  readonly embedder: Embedder;
  #options: ProcessPoolOptions;
  #children = new Set<Child>();
  #idle: Child[] = [];
  #waiters: { resolve: (c: Child) => void; reject: (e: unknown) => void }[] = [];
  #nextId = 1;
  #closed = false;
  #reniceWarned = false;

  constructor(options: ProcessPoolOptions) {
    this.#options = options;
    const base = options.embedder;
    this.embedder = options.offloadEmbedding
      ? {
        model: base.model,
        dimensions: base.dimensions,
        batchSize: base.batchSize,
        englishOnly: base.englishOnly,
        embed: (texts) => this.#embed(texts),
      }
      : base;
  }

  /** Process ids of the children running a request now (for tests). */
  get busyPids(): number[] {
    return [...this.#children].filter((c) => c.current).map((c) => c.proc.pid);
  }

  /** Process ids of the children alive now (for tests and metrics). */
  get pids(): number[] {
    return [...this.#children].map((c) => c.proc.pid);
  }

  async process(
    bytes: Uint8Array,
    type: Parameters<DocumentProcessor["process"]>[1],
    options: Parameters<DocumentProcessor["process"]>[2] = {},
  ): Promise<ProcessorResult> {
    const frame = await this.#request(
      { op: "process", type, options: { ...this.#options.chunkOptions, limits: this.#options.limits } },
      bytes,
      {
        timeoutMs: this.#options.timeoutMs,
        what: "extraction",
        onProgress: (h) =>
          options.onProgress?.({ pagesDone: Number(h.pagesDone), pagesTotal: Number(h.pagesTotal) }),
      },
    );
    const h = frame.header as { chunks: Chunk[]; pageCount: number; title?: string };
    return { chunks: h.chunks, pageCount: h.pageCount, ...(h.title ? { title: h.title } : {}) };
  }

  async #embed(texts: string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    const frame = await this.#request({ op: "embed", texts }, undefined, {
      timeoutMs: this.#options.embedTimeoutMs ?? 120_000,
      what: "embedding",
    });
    const { count, dims } = frame.header as { count: number; dims: number };
    const flat = new Float32Array(frame.body.buffer, frame.body.byteOffset, count * dims);
    return Array.from({ length: count }, (_, i) => Array.from(flat.subarray(i * dims, (i + 1) * dims)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w.reject(new ProcessorClosedError());
    const children = [...this.#children];
    for (const child of children) this.#kill(child, "close");
    await Promise.all(children.map((c) => c.proc.status.catch(() => {})));
  }

  async #request(
    header: Record<string, unknown>,
    body: Uint8Array | undefined,
    options: {
      timeoutMs: number;
      what: "extraction" | "embedding";
      onProgress?: (h: Record<string, unknown>) => void;
    },
  ): Promise<Frame> {
    const child = await this.#acquire();
    const id = this.#nextId++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let poll: ReturnType<typeof setInterval> | undefined;
    const ceiling = 2 * this.#options.memoryMb * 1024 * 1024;
    // A memory reading that lands after this request ended must not kill the child for the next one.
    let active = true;
    try {
      return await new Promise<Frame>((resolve, reject) => {
        child.current = {
          onFrame: (frame) => {
            if (frame.header.id !== id) return;
            const event = frame.header.event;
            if (event === "progress") return options.onProgress?.(frame.header);
            if (event === "error") return reject(remoteError(frame.header.error as RemoteError));
            resolve(frame);
          },
          onExit: (status) => reject(this.#exitError(child, status, options)),
        };
        timer = setTimeout(() => this.#kill(child, "timeout"), options.timeoutMs);
        poll = setInterval(async () => {
          const rss = await residentBytes(child.proc.pid);
          if (active && rss !== undefined && rss > ceiling) this.#kill(child, "memory");
        }, RSS_POLL_MS);
        child.writer.write(encodeFrame({ id, ...header }, body)).catch(() => {
          // The child is gone; its exit rejects this request.
        });
      });
    } finally {
      active = false;
      clearTimeout(timer);
      clearInterval(poll);
      child.current = undefined;
      this.#release(child);
    }
  }

  #exitError(
    child: Child,
    status: Deno.CommandStatus,
    options: { timeoutMs: number; what: "extraction" | "embedding" },
  ): Error {
    const { memoryMb } = this.#options;
    const document = options.what === "extraction";
    const fail = (reason: DocumentFailure, message: string) =>
      document ? new DocumentError(reason, message) : new Error(message);
    if (child.killedFor === "close") return new ProcessorClosedError();
    if (child.killedFor === "timeout") {
      return fail(
        "timeout",
        `Reading this document took longer than ${Math.round(options.timeoutMs / 1000)} s and was stopped; ` +
          "split it into smaller files",
      );
    }
    if (child.killedFor === "memory" || OOM.test(child.stderrTail)) {
      return fail(
        "out_of_memory",
        `Reading this document needed more than the ${memoryMb} MiB of memory allowed and was stopped; ` +
          "split it into smaller files",
      );
    }
    const how = status.signal ? `signal ${status.signal}` : `exit code ${status.code}`;
    const last = child.stderrTail.trim().split("\n").at(-1)?.slice(0, 300) ?? "";
    return new ProcessorCrashedError(
      `The document processor stopped during ${options.what} (${how})${last ? `: ${last}` : ""}`,
    );
  }

  #renice(pid: number) {
    const nice = this.#options.nice ?? DEFAULT_NICE;
    if (nice <= 0) return;
    const failed = reniceProcess(pid, nice);
    if (failed && !this.#reniceWarned) {
      this.#reniceWarned = true;
      this.#options.logger?.warn("document processors run at the serving process's priority", {
        reason: failed,
      });
    }
  }

  #kill(child: Child, why: NonNullable<Child["killedFor"]>) {
    child.killedFor ??= why;
    try {
      child.proc.kill("SIGKILL");
    } catch {
      // already gone
    }
  }

  async #acquire(): Promise<Child> {
    if (this.#closed) throw new ProcessorClosedError();
    const idle = this.#idle.pop();
    if (idle) return idle;
    const child = this.#children.size < this.#options.size
      ? this.#spawn()
      : await new Promise<Child>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    await child.ready;
    return child;
  }

  #release(child: Child) {
    if (!this.#children.has(child) || child.killedFor) return;
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(child);
    else this.#idle.push(child);
  }

  #spawn(): Child {
    const proc = new Deno.Command(Deno.execPath(), {
      args: childArgs(this.#options.memoryMb),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let started!: () => void;
    let failed!: (err: Error) => void;
    const child: Child = {
      proc,
      writer: proc.stdin.getWriter(),
      stderrTail: "",
      stderrDone: Promise.resolve(),
      ready: new Promise<void>((resolve, reject) => [started, failed] = [resolve, reject]),
    };
    child.ready.catch(() => {}); // observed by whoever acquires this child
    child.stderrDone = (async () => {
      for await (const text of proc.stderr.pipeThrough(new TextDecoderStream())) {
        child.stderrTail = (child.stderrTail + text).slice(-4000);
      }
    })().catch(() => {});
    // Lowered at once (the main thread does the work; threads it starts inherit the setting), and again once
    // loaded, for the threads the runtime started meanwhile.
    this.#renice(proc.pid);
    (async () => {
      for await (const frame of readFrames(proc.stdout)) {
        if (frame.header.event === "ready") {
          this.#renice(proc.pid);
          started();
        } else child.current?.onFrame(frame);
      }
    })().catch(() => {});
    this.#children.add(child);
    proc.status.then(async (status) => {
      this.#children.delete(child);
      this.#idle = this.#idle.filter((c) => c !== child);
      await Promise.race([child.stderrDone, new Promise((r) => setTimeout(r, 500))]);
      try {
        child.writer.releaseLock();
      } catch {
        // a write was still pending on the dead pipe
      }
      failed(
        child.killedFor === "close" ? new ProcessorClosedError() : new ProcessorCrashedError(
          `The document processor could not start (exit code ${status.code}): ${
            child.stderrTail.slice(-300)
          }`,
        ),
      );
      if (child.current) child.current.onExit(status);
      else if (child.killedFor !== "close") {
        this.#options.logger?.warn("document processor exited", { code: status.code, signal: status.signal });
      }
      // Someone waits for a child that will not come back: start a fresh one for them.
      const waiter = !this.#closed && this.#waiters.shift();
      if (waiter) waiter.resolve(this.#spawn());
    });
    return child;
  }
}

interface RemoteError {
  name: string;
  reason?: DocumentFailure;
  message: string;
}

function remoteError(error: RemoteError): Error {
  if (error.name === "DocumentError" && error.reason) return new DocumentError(error.reason, error.message);
  const err = new Error(error.message);
  err.name = error.name;
  return err;
}
