import assert from "node:assert/strict";
import { createOfflineEmbedder } from "../../rag/embedder/offline.ts";
import { DEFAULT_DOCUMENT_LIMITS, DocumentError, processDocument } from "../mod.ts";
import { PDF_FIXTURES, readPdfFixture } from "../testing/fixtures.ts";
import { docxHugePart, pptxUnclosedShapes } from "../testing/hostile.ts";
import { ProcessorClosedError, ProcessorCrashedError } from "./interface.ts";
import { ProcessPool, type ProcessPoolOptions } from "./process.ts";

const chunkOptions = { targetTokens: 300, overlapTokens: 50, minTokens: 60 };
// The slow slide below compresses far past the ratio limit, which would stop it before parsing.
const noRatio = { ...DEFAULT_DOCUMENT_LIMITS, maxCompressionRatio: 1_000_000 };

function pool(overrides: Partial<ProcessPoolOptions> = {}): ProcessPool {
  return new ProcessPool({
    size: 1,
    timeoutMs: 60_000,
    memoryMb: 512,
    limits: DEFAULT_DOCUMENT_LIMITS,
    chunkOptions,
    embedder: createOfflineEmbedder(),
    offloadEmbedding: true,
    ...overrides,
  });
}

/** Counts timer ticks on this event loop while `work` runs: proof the loop kept turning. */
async function ticksDuring<T>(work: Promise<T>): Promise<{ ticks: number; result: PromiseSettledResult<T> }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 20);
  const [result] = await Promise.allSettled([work]);
  clearInterval(timer);
  return { ticks, result };
}

Deno.test("a child process extracts a real PDF into the same chunks as extraction in this process", async () => {
  const processor = pool();
  try {
    const bytes = await readPdfFixture(PDF_FIXTURES.english);
    const progress: number[] = [];
    const result = await processor.process(bytes, "pdf", { onProgress: (p) => progress.push(p.pagesDone) });
    const local = await processDocument(bytes, "pdf", chunkOptions);
    assert.deepEqual(result.chunks, local.chunks);
    assert.equal(result.pageCount, local.pageCount);
    assert.equal(progress.at(-1), local.pageCount, "the last page is reported");
  } finally {
    await processor.close();
  }
});

Deno.test("the offline embedder runs in a child process and returns the vectors it computes in this one", async () => {
  const processor = pool();
  try {
    const texts = ["Photosynthesis turns light into sugar.", "A truss carries axial force."];
    const remote = await processor.embedder.embed(texts);
    const local = await createOfflineEmbedder().embed(texts);
    assert.equal(remote.length, 2);
    assert.equal(remote[0].length, 512);
    for (let i = 0; i < 512; i++) assert.ok(Math.abs(remote[0][i] - local[0][i]) < 1e-5);
    assert.equal(processor.embedder.englishOnly, true);
  } finally {
    await processor.close();
  }
});

Deno.test("a parse that runs past the wall time is killed, reported as timeout, and the loop kept turning", async () => {
  const processor = pool({ timeoutMs: 1500, limits: noRatio });
  try {
    const bytes = await pptxUnclosedShapes(30_000);
    const { ticks, result } = await ticksDuring(processor.process(bytes, "pptx"));
    assert.equal(result.status, "rejected");
    const err = (result as PromiseRejectedResult).reason;
    assert.ok(err instanceof DocumentError, String(err));
    assert.equal(err.reason, "timeout");
    assert.ok(ticks > 10, `this event loop ticked ${ticks} times`);
    // The pool replaces the killed child: the next document is processed normally.
    const next = await processor.process(new TextEncoder().encode("# Next\n\nA normal file."), "md");
    assert.equal(next.chunks.length, 1);
  } finally {
    await processor.close();
  }
});

Deno.test("a parse that passes the memory ceiling is killed and reported as out_of_memory", async () => {
  const processor = pool({
    memoryMb: 64,
    limits: { ...DEFAULT_DOCUMENT_LIMITS, maxEntryBytes: 64 * 1024 * 1024 },
  });
  try {
    const err = await processor.process(await docxHugePart(12 * 1024 * 1024), "docx").catch((e) => e);
    assert.ok(err instanceof DocumentError, String(err));
    assert.equal(err.reason, "out_of_memory");
  } finally {
    await processor.close();
  }
});

Deno.test("a child killed from outside fails its request as a crash, not as the document's fault", async () => {
  const processor = pool({ limits: noRatio });
  try {
    const bytes = await pptxUnclosedShapes(30_000);
    const running = processor.process(bytes, "pptx").catch((e) => e);
    while (processor.busyPids.length === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 300));
    Deno.kill(processor.busyPids[0], "SIGKILL");
    const err = await running;
    assert.ok(err instanceof ProcessorCrashedError, String(err));
    assert.match(err.message, /signal SIGKILL|exit code/);
  } finally {
    await processor.close();
  }
});

Deno.test("closing the pool rejects work in flight and later requests", async () => {
  const processor = pool({ limits: noRatio });
  const running = processor.process(await pptxUnclosedShapes(30_000), "pptx").catch((e) => e);
  while (processor.pids.length === 0) await new Promise((r) => setTimeout(r, 10));
  await processor.close();
  assert.ok((await running) instanceof ProcessorClosedError);
  await assert.rejects(() => processor.process(new Uint8Array([1]), "txt"), ProcessorClosedError);
});

/** Niceness of every thread of a process (Linux), or undefined where `/proc` does not list them. */
function threadNiceness(pid: number): number[] | undefined {
  try {
    return [...Deno.readDirSync(`/proc/${pid}/task`)].map((e) =>
      // Field 19 of stat; the command name before it (in parentheses) may hold spaces.
      Number(Deno.readTextFileSync(`/proc/${pid}/task/${e.name}/stat`).split(") ")[1].split(" ")[16])
    );
  } catch {
    return undefined;
  }
}

Deno.test("the children run below the serving process's priority, every thread of them, unless set to 0", async () => {
  const own = threadNiceness(Deno.pid);
  if (!own) return; // not Linux: nothing to read
  // A niceness below this process's own would need privilege (a test run under `nice` itself).
  for (const nice of [7, 0].filter((n) => n === 0 || n >= own[0])) {
    const processor = pool({ nice });
    try {
      await processor.embedder.embed(["warm up"]);
      const [pid] = processor.pids;
      const threads = threadNiceness(pid)!;
      assert.ok(threads.length > 1, "the runtime's threads are listed too");
      const expected: number = nice === 0 ? own[0] : nice;
      assert.deepEqual(threads, threads.map(() => expected), `every thread at niceness ${expected}`);
    } finally {
      await processor.close();
    }
  }
});
