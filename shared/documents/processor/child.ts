/**
 * A document-processing child process: reads requests from stdin, extracts/chunks or embeds, and answers on
 * stdout (`frames.ts`). It is started by `process.ts` with read access to the project only (no network, no
 * environment, no writes), a V8 heap ceiling, and a watchdog in the parent that kills it on a limit.
 */

// stdout carries frames: anything a library prints goes to stderr instead (the parent keeps its tail).
console.log =
  console.info =
  console.debug =
  console.warn =
    (...args: unknown[]) => console.error(...args);

const { encodeFrame, readFrames } = await import("./frames.ts");
const { processDocument } = await import("../mod.ts");
const { DocumentError } = await import("../errors.ts");
const { createOfflineEmbedder } = await import("../../rag/embedder/offline.ts");

/** A request from the parent. */
type Request =
  | {
    id: number;
    op: "process";
    type: import("../types.ts").DocumentType;
    options: import("../mod.ts").ProcessOptions;
  }
  | { id: number; op: "embed"; texts: string[] };

/**
 * Writes a frame synchronously: extraction keeps the microtask queue busy for seconds (pdf.js chains promises),
 * and an asynchronous write would only complete, and reach the parent, once it is done.
 */
const send = (header: unknown, body?: Uint8Array) => {
  const frame = encodeFrame(header, body);
  for (let at = 0; at < frame.length;) at += Deno.stdout.writeSync(frame.subarray(at));
};

const embedder = createOfflineEmbedder();
// Loaded: the parent starts a request's wall time from here, not from process start.
send({ event: "ready" });
// Progress is sent at most every 100 ms, and always for the last page.
const PROGRESS_EVERY_MS = 100;

for await (const { header, body } of readFrames<Request>(Deno.stdin.readable)) {
  const id = header.id;
  try {
    if (header.op === "process") {
      let last = 0;
      const result = await processDocument(body, header.type, {
        ...header.options,
        onProgress: (p) => {
          const now = performance.now();
          if (now - last < PROGRESS_EVERY_MS && p.pagesDone < p.pagesTotal) return;
          last = now;
          send({ id, event: "progress", ...p });
        },
      });
      send({
        id,
        event: "done",
        chunks: result.chunks,
        pageCount: result.pageCount,
        title: result.extracted.title,
      });
    } else {
      const vectors = await embedder.embed(header.texts);
      const dims = vectors[0]?.length ?? 0;
      const flat = new Float32Array(vectors.length * dims);
      vectors.forEach((v, i) => flat.set(v, i * dims));
      send({ id, event: "vectors", count: vectors.length, dims }, new Uint8Array(flat.buffer));
    }
  } catch (err) {
    const error = err instanceof DocumentError
      ? { name: "DocumentError", reason: err.reason, message: err.message }
      : { name: (err as Error)?.name ?? "Error", message: (err as Error)?.message ?? String(err) };
    send({ id, event: "error", error });
  }
}
