/**
 * Ingestion of hostile files through the real job runner and the real child-process pool: each ends `failed` with
 * its reason and a `dead` job after one attempt, a real document beside them ends `ready`, and a prober in another
 * process finds this process answering HTTP all along. Vectors go to the fake Qdrant (the machine's Postgres may
 * lack pgvector).
 */
import assert from "node:assert/strict";
import { eq, sql } from "drizzle-orm";
import { jobs } from "@app/shared/db/schema/jobs.ts";
import { documents } from "@app/shared/db/schema/rag.ts";
import { dbTest, freshTestDatabase, testBackends } from "@app/shared/db/testing.ts";
import { DEFAULT_DOCUMENT_LIMITS } from "@app/shared/documents/limits.ts";
import { ProcessPool } from "@app/shared/documents/processor/process.ts";
import { PDF_FIXTURES, readPdfFixture } from "@app/shared/documents/testing/fixtures.ts";
import {
  docxBomb,
  docxLyingDirectory,
  docxNestedTables,
  malformed,
  pdfWithPages,
  pptxSlides,
  pptxUnclosedShapes,
} from "@app/shared/documents/testing/hostile.ts";
import { createDocumentsTestbed, type DocumentsTestbed } from "@app/core/documents/testing.ts";
import type { JobRow } from "@app/shared/jobs/enqueue.ts";
import { runClaimedJob } from "../runner.ts";
import { claimJob } from "../store.ts";
import { EmbeddedQueue } from "../transport/embedded.ts";
import { ingestDocument } from "./documents_ingest.ts";
import { testRunner } from "../testing.ts";

const MiB = 1024 * 1024;
const PROBE = new URL("../testdata/healthz_probe.ts", import.meta.url).pathname;

/** Test-sized limits: small enough for generated files to reach quickly. */
const LIMITS = { ...DEFAULT_DOCUMENT_LIMITS, maxChars: 400_000, maxSlides: 50 };
/** Lets the slow slide through the ratio check so that it reaches the parser. */
const NO_RATIO = { ...LIMITS, maxCompressionRatio: 1_000_000 };

/** Puts a child-process pool with test-sized limits under the testbed's document services. */
function usePool(
  bed: DocumentsTestbed,
  overrides: { timeoutMs?: number; size?: number; limits?: typeof LIMITS } = {},
): ProcessPool {
  const services = bed.core.services.documents;
  const pool = new ProcessPool({
    size: overrides.size ?? 2,
    timeoutMs: overrides.timeoutMs ?? 4000,
    memoryMb: 256,
    limits: overrides.limits ?? LIMITS,
    chunkOptions: services.chunkOptions,
    embedder: services.embedder,
    offloadEmbedding: false,
  });
  services.processor = pool;
  return pool;
}

/**
 * Serves the testbed's core over HTTP and probes its /healthz from another process every 50 ms. A probe fails
 * when no answer comes within 5 s: a question of answering at all (a parse on this loop stalls it for tens of
 * seconds), not a latency figure, which `deno task bench:ingestion` measures.
 */
function serveAndProbe(bed: DocumentsTestbed) {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, bed.core.app.fetch);
  const prober = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      PROBE,
      `http://127.0.0.1:${server.addr.port}/healthz`,
      "50",
      "5000",
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines: string[] = [];
  const reading = (async () => {
    let buffer = "";
    for await (const text of prober.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += text;
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      lines.push(...parts);
    }
  })();
  return {
    lines,
    async stop() {
      prober.kill("SIGTERM");
      await prober.status;
      await reading;
      await server.shutdown();
    },
  };
}

async function uploadDoc(
  bed: DocumentsTestbed,
  name: string,
  type: "pdf" | "docx" | "pptx",
  bytes: Uint8Array,
): Promise<{ documentId: string; jobId: string }> {
  const { put, putBody, createdBody } = await bed.upload(bed.world.academicOwn, bed.world.courseA, {
    name,
    type,
    bytes: new Uint8Array(bytes),
  });
  assert.equal(put.status, 202, `${name}: ${JSON.stringify(putBody)}`);
  return { documentId: createdBody.documentId as string, jobId: putBody.jobId as string };
}

dbTest(
  "hostile files each end failed with their reason, never retried, while the process keeps answering",
  async (database) => {
    const bed = await createDocumentsTestbed(database, "qdrant");
    // No ratio limit here, so the slow slide reaches its parser and meets the wall time instead.
    const pool = usePool(bed, { limits: NO_RATIO, timeoutMs: 15_000 });
    let probes: ReturnType<typeof serveAndProbe> | undefined;
    try {
      const hostile: [string, "pdf" | "docx" | "pptx", Uint8Array, RegExp][] = [
        ["bomb.docx", "docx", await docxBomb(52 * MiB), /inflates to 52 MiB; at most 32 MiB/],
        ["lying.docx", "docx", await docxLyingDirectory(8 * MiB), /more than the 4096 bytes it declares/],
        ["nested.docx", "docx", await docxNestedTables(2000), /.+/],
        ["pages.pdf", "pdf", await pdfWithPages(5000), /5000 pages; at most 2000/],
        ["text.pdf", "pdf", await pdfWithPages(20, { linesPerPage: 3000 }), /more than 400000 characters/],
        ["slides.pptx", "pptx", await pptxSlides(60), /60 slides; at most 50/],
        // 60,000 open shapes take the parser about 55 s on a quiet machine (30,000 took 13 s: too close to 15).
        ["slow.pptx", "pptx", await pptxUnclosedShapes(60_000), /longer than 15 s and was stopped/],
        ["broken.pdf", "pdf", malformed("pdf"), /could not be read/],
        ["broken.docx", "docx", malformed("docx"), /could not be read/],
        ["broken.pptx", "pptx", malformed("pptx"), /could not be read/],
      ];
      // Generating the files above is this test's own work on this loop: the probe starts after it.
      const probe = serveAndProbe(bed);
      probes = probe;
      const uploads = [];
      for (const [name, type, bytes] of hostile) uploads.push(await uploadDoc(bed, name, type, bytes));
      const real = await uploadDoc(bed, "real.pdf", "pdf", await readPdfFixture(PDF_FIXTURES.english));

      await bed.runQueuedDocumentJobs();

      for (const [i, [name, , , message]] of hostile.entries()) {
        const [doc] = await database.db.select().from(documents).where(
          eq(documents.id, uploads[i].documentId),
        );
        const [job] = await database.db.select().from(jobs).where(eq(jobs.id, uploads[i].jobId));
        assert.equal(doc.status, "failed", `${name} is ${doc.status}`);
        assert.match(doc.error ?? "", message, `${name}: ${doc.error}`);
        assert.equal(job.status, "dead", `${name}: its job is not retried`);
        assert.equal(job.attempts, 1, name);
      }
      const [ready] = await database.db.select().from(documents).where(eq(documents.id, real.documentId));
      const [realJob] = await database.db.select().from(jobs).where(eq(jobs.id, real.jobId));
      assert.equal(ready.status, "ready", `real.pdf: ${realJob.lastError}`);
      assert.ok((ready.chunkCount ?? 0) > 0);
    } finally {
      await probes?.stop();
      await pool.close();
      await bed.close();
    }
    const lines = probes?.lines ?? [];
    const failures = lines.filter((l) => l.startsWith("fail"));
    assert.deepEqual(failures, [], "every probe of /healthz was answered");
    assert.ok(lines.length >= 20, `the prober answered ${lines.length} times`);
  },
);

dbTest(
  "a file whose processing crashes the child twice is marked failed instead of retried again",
  async (database) => {
    const bed = await createDocumentsTestbed(database, "qdrant");
    const slow = usePool(bed, { timeoutMs: 60_000, size: 1, limits: NO_RATIO });
    try {
      const { documentId, jobId } = await uploadDoc(
        bed,
        "slow.pptx",
        "pptx",
        await pptxUnclosedShapes(30_000),
      );
      const killChild = async () => {
        while (slow.busyPids.length === 0) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 200));
        Deno.kill(slow.busyPids[0], "SIGKILL");
      };

      const [first] = await Promise.all([bed.runJob(jobId), killChild()]);
      assert.equal(first, "retry");
      const [afterFirst] = await database.db.select().from(jobs).where(eq(jobs.id, jobId));
      assert.match(
        afterFirst.lastError ?? "",
        /^The document processor stopped during extraction \(signal SIGKILL/,
      );

      const [second] = await Promise.all([bed.runJob(jobId), killChild()]);
      assert.equal(second, "dead");
      const [doc] = await database.db.select().from(documents).where(eq(documents.id, documentId));
      assert.equal(doc.status, "failed");
      assert.match(doc.error ?? "", /stopped the document processor twice/);
    } finally {
      await slow.close();
      await bed.close();
    }
  },
);

dbTest(
  "a file whose worker died on two attempts is failed at the next claim without being read",
  async (database) => {
    const bed = await createDocumentsTestbed(database, "qdrant");
    const pool = usePool(bed);
    try {
      const { documentId, jobId } = await uploadDoc(
        bed,
        "bomb.pdf",
        "pdf",
        await pdfWithPages(3, { linesPerPage: 5 }),
      );
      // The second attempt's worker died too: its lease ran out while the first one's death was on record.
      await database.db.execute(
        sql`update jobs set status = 'running', attempts = 2, lease_until = now() - interval '1 second',
      last_error = 'The worker running attempt 1 stopped answering (lease expired)' where id = ${jobId}::uuid`,
      );
      assert.equal(await bed.runJob(jobId), "dead");
      const [job] = await database.db.select().from(jobs).where(eq(jobs.id, jobId));
      assert.match(job.lastError ?? "", /stopped the worker twice/);
      const [doc] = await database.db.select().from(documents).where(eq(documents.id, documentId));
      assert.equal(doc.status, "failed");
      assert.equal(pool.pids.length, 0, "the file was never handed to a child");
    } finally {
      await pool.close();
      await bed.close();
    }
  },
);

dbTest(
  "ingestion reports pages read and chunks embedded while it runs, and 100 once the document is ready",
  async (database) => {
    const bed = await createDocumentsTestbed(database, "qdrant");
    const pool = usePool(bed, { limits: DEFAULT_DOCUMENT_LIMITS, timeoutMs: 300_000 });
    try {
      const german = await readPdfFixture(PDF_FIXTURES.german);
      const { documentId, jobId } = await uploadDoc(bed, "real.pdf", "pdf", german);
      // Every report the handler makes, with the document's status at that moment.
      const seen: { progress: number; detail?: Record<string, unknown>; status: string }[] = [];
      const registry = {
        "documents.ingest": {
          ...ingestDocument,
          run: (ctx: Parameters<typeof ingestDocument.run>[0]) =>
            ingestDocument.run({
              ...ctx,
              reportProgress: async (progress, detail) => {
                const [doc] = await database.db.select({ status: documents.status }).from(documents)
                  .where(eq(documents.id, documentId));
                seen.push({ progress, detail, status: doc.status });
                await ctx.reportProgress(progress, detail);
              },
            }),
        },
      };
      const runner = testRunner(database, { registry, deps: { documents: bed.core.services.documents } });
      const claim = await claimJob(database.db, jobId, {
        workerId: runner.workerId,
        leaseMs: runner.leaseMs,
      });
      assert.equal(claim.state, "claimed");
      const outcome = await runClaimedJob((claim as { job: JobRow }).job, runner);
      const [after] = await database.db.select().from(jobs).where(eq(jobs.id, jobId));
      assert.equal(outcome, "succeeded", after.lastError ?? "");

      const stages = seen.map((s) => s.detail?.stage);
      assert.ok(stages.includes("extracting") && stages.includes("embedding"), `stages: ${stages}`);
      const progress = seen.map((s) => s.progress);
      assert.deepEqual(progress, [...progress].sort((a, b) => a - b), "progress never goes back");
      const reading = seen.filter((s) => s.detail?.stage === "extracting");
      assert.ok(reading.every((s) => Number(s.detail?.pagesDone) <= 117 && s.detail?.pagesTotal === 117));
      assert.ok(reading.some((s) => s.progress > 0 && s.progress < 30), "pages read move the bar");
      const embedded = seen.filter((s) => s.detail?.stage === "embedding").map((s) =>
        Number(s.detail?.chunksEmbedded)
      );
      assert.ok(embedded.at(-1)! > 0, `chunks embedded: ${embedded}`);
      for (const s of seen.filter((s) => s.status === "ready")) {
        assert.equal(s.progress, 100, "once the document is ready its job says 100");
      }
      assert.equal(seen.at(-1)?.status, "ready");
      const [job] = await database.db.select().from(jobs).where(eq(jobs.id, jobId));
      assert.equal(job.status, "succeeded");
      assert.equal(job.progress, 100);
      assert.equal((job.result as { pages: number }).pages, 117);
    } finally {
      await pool.close();
      await bed.close();
    }
  },
);

for (const kind of testBackends) {
  Deno.test({
    name: `[${kind}] on shutdown the queue hands a still-running ingestion back, its attempt not counted`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      // A database of its own: the queue claims every due job it can see.
      const database = await freshTestDatabase(kind);
      const bed = await createDocumentsTestbed(database, "qdrant");
      const pool = usePool(bed, { timeoutMs: 60_000, size: 1, limits: NO_RATIO });
      try {
        const { jobId } = await uploadDoc(bed, "slow.pptx", "pptx", await pptxUnclosedShapes(30_000));
        const runner = testRunner(database, { deps: { documents: bed.core.services.documents } });
        const queue = new EmbeddedQueue({ runner, pollMs: 20, concurrency: 1 });
        queue.start();
        while (pool.pids.length === 0) await new Promise((r) => setTimeout(r, 10));
        await queue.stop(200);
        await pool.close();
        const [job] = await database.db.select().from(jobs).where(eq(jobs.id, jobId));
        assert.equal(job.status, "queued");
        assert.equal(job.attempts, 0);
        assert.equal(job.lockedBy, null);
        assert.match(job.lastError ?? "", /Handed back/);
      } finally {
        await pool.close();
        await bed.close();
        await database.close();
      }
    },
  });
}
