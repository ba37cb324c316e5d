/**
 * `deno task bench:ingestion`: does document processing leave the server answering? In one process — the
 * serving process, as in `deno task dev` — core serves HTTP while the embedded queue ingests, on the embedded
 * defaults (PGlite with pgvector, the offline embedder). Per isolation mode (`inline` = processing on the serving
 * loop, as before the child-process pool; `process` = the pool, now the default):
 *
 * 1. throughput: the real PDF fixtures alone, pages per second from enqueue to all `ready`;
 * 2. responsiveness: the hostile set (generated) plus the real fixtures together, while a prober in another
 *    process fetches `/healthz` every 50 ms: p50/p99/max latency and failed probes, and the serving process's
 *    peak resident memory.
 *
 * 3. the serving loop's own stalls: its thread's CPU time between firings of a 10 ms timer (Linux), which reads
 *    the same on a loaded machine as on a quiet one, unlike /healthz latency.
 *
 * Targets (issue): /healthz p99 ≤ 50 ms and peak RSS ≤ 600 MB with `process`; throughput ≥ 0.9× `inline`.
 * Flags: `--modes inline,process` (default both, paired), `--rounds N` (throughput rounds per mode, default 1),
 * `--skip-throughput`, `--skip-responsiveness`.
 * Each measurement runs in a fresh process, so one mode's memory (or its loaded model) never counts for another.
 */
import { inArray } from "drizzle-orm";
import { createDocumentsTestbed, type DocumentsTestbed } from "../../core/documents/testing.ts";
import { openPglite } from "../../shared/db/client.ts";
import { seedPgliteDir } from "../../workers/jobs/testdata/worker_harness.ts";
import { documents } from "../../shared/db/schema/rag.ts";
import { documentsEnv } from "../../shared/documents/env.ts";
import { ragEnv } from "../../shared/rag/env.ts";
import { createDocumentServices } from "../../shared/documents/services.ts";
import { PDF_FIXTURES, readPdfFixture } from "../../shared/documents/testing/fixtures.ts";
import {
  docxBomb,
  docxLyingDirectory,
  docxNestedTables,
  malformed,
  pdfWithPages,
  pptxSlides,
  pptxUnclosedShapes,
} from "../../shared/documents/testing/hostile.ts";
import { parseEnv } from "../../shared/env.ts";
import { jobHandlers } from "../../workers/jobs/handlers/mod.ts";
import { testRunner } from "../../workers/jobs/testing.ts";
import { EmbeddedQueue } from "../../workers/jobs/transport/embedded.ts";
import { z } from "zod";

type Mode = "inline" | "process";
type FileSpec = { name: string; type: "pdf" | "docx" | "pptx"; bytes: Uint8Array; pages?: number };

const PROBE = new URL("../../workers/jobs/testdata/healthz_probe.ts", import.meta.url).pathname;
const MiB = 1024 * 1024;

function flag(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

async function realFixtures(): Promise<FileSpec[]> {
  return [
    { name: "english.pdf", type: "pdf", bytes: await readPdfFixture(PDF_FIXTURES.english), pages: 23 },
    { name: "german.pdf", type: "pdf", bytes: await readPdfFixture(PDF_FIXTURES.german), pages: 117 },
    { name: "arabic.pdf", type: "pdf", bytes: await readPdfFixture(PDF_FIXTURES.arabic), pages: 1 },
  ];
}

async function hostileSet(): Promise<FileSpec[]> {
  return [
    { name: "bomb.docx", type: "docx", bytes: await docxBomb(52 * MiB) },
    { name: "lying.docx", type: "docx", bytes: await docxLyingDirectory(8 * MiB) },
    { name: "nested.docx", type: "docx", bytes: await docxNestedTables(2000) },
    { name: "pages.pdf", type: "pdf", bytes: await pdfWithPages(20_000) },
    { name: "text.pdf", type: "pdf", bytes: await pdfWithPages(1000, { linesPerPage: 400 }) },
    { name: "slides.pptx", type: "pptx", bytes: await pptxSlides(1500) },
    { name: "slow.pptx", type: "pptx", bytes: await pptxUnclosedShapes(30_000) },
    { name: "broken.pdf", type: "pdf", bytes: malformed("pdf") },
    { name: "broken.docx", type: "docx", bytes: malformed("docx") },
    { name: "broken.pptx", type: "pptx", bytes: malformed("pptx") },
  ];
}

/** One serving process's setup: the core app over HTTP, the real document services, the embedded queue. */
async function setUp(mode: Mode) {
  // PGlite on disk, as `deno task dev` runs it, seeded by the parent (seeding holds the whole template in memory,
  // which would otherwise count as this server's RSS).
  const dataDir = flag("db")!;
  const database = await openPglite(`${dataDir}/pglite`);
  const bed = await createDocumentsTestbed(database, "pgvector");
  // EXTRACTION_NICE from the environment, to compare the children's priorities (default 10).
  const nice = Deno.env.get("EXTRACTION_NICE");
  const env = parseEnv(z.object({ ...documentsEnv, ...ragEnv }), {
    DOCUMENT_ISOLATION: mode,
    ...(nice ? { EXTRACTION_NICE: nice } : {}),
  });
  const servicesDir = await Deno.makeTempDir({ prefix: "bench_ingest_" });
  const services = createDocumentServices(
    { ...env, DATA_DIR: servicesDir },
    database,
    { storage: await bed.core.services.documents.storage() },
  );
  await services.vectorStore.ensureSchema();
  // Load the model before timing (in this process for inline; in every child for process, as a server that has
  // been up a while would have them).
  const children = mode === "process" ? env.EXTRACTION_WORKERS : 1;
  await Promise.all(Array.from({ length: children }, () => services.processor.embedder.embed(["warm up"])));
  const runner = testRunner(database, {
    registry: jobHandlers,
    deps: { documents: services },
    leaseMs: 60_000,
  });
  const queue = new EmbeddedQueue({ runner, pollMs: 50, concurrency: 4 });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, bed.core.app.fetch);
  queue.start();
  return {
    bed,
    database,
    url: `http://127.0.0.1:${server.addr.port}/healthz`,
    async close() {
      await queue.stop(1000);
      await services.processor.close();
      await server.shutdown();
      await bed.close();
      await database.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      await Deno.remove(servicesDir, { recursive: true }).catch(() => {});
    },
  };
}

async function upload(bed: DocumentsTestbed, file: FileSpec): Promise<string> {
  const { put, putBody, createdBody } = await bed.upload(bed.world.academicOwn, bed.world.courseA, {
    name: `${crypto.randomUUID().slice(0, 8)}-${file.name}`,
    type: file.type,
    bytes: new Uint8Array(file.bytes),
  });
  if (put.status !== 202) throw new Error(`upload of ${file.name}: ${put.status} ${JSON.stringify(putBody)}`);
  return createdBody.documentId as string;
}

async function waitSettled(setup: Awaited<ReturnType<typeof setUp>>, ids: string[], timeoutMs = 900_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const rows = await setup.database.db.select({ id: documents.id, status: documents.status }).from(
      documents,
    )
      .where(inArray(documents.id, ids));
    if (rows.every((r) => r.status === "ready" || r.status === "failed")) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("documents did not settle in time");
}

function startProbe(url: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", PROBE, url, "50", "5000"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines: string[] = [];
  const reading = (async () => {
    let buffer = "";
    for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += text;
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      lines.push(...parts);
    }
  })();
  return {
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await reading;
      return lines;
    },
  };
}

async function residentMb(field: "VmRSS"): Promise<number> {
  const status = await Deno.readTextFile("/proc/self/status");
  return Number(status.match(new RegExp(`^${field}:\\s+(\\d+)`, "m"))?.[1] ?? 0) / 1024;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;

async function throughput(mode: Mode, files: FileSpec[]): Promise<number> {
  const setup = await setUp(mode);
  try {
    const started = performance.now();
    const ids = [];
    for (const f of files) ids.push(await upload(setup.bed, f));
    const rows = await waitSettled(setup, ids);
    const seconds = (performance.now() - started) / 1000;
    const failed = rows.filter((r) => r.status !== "ready");
    if (failed.length) throw new Error(`${failed.length} real fixtures did not end ready`);
    return files.reduce((n, f) => n + (f.pages ?? 0), 0) / seconds;
  } finally {
    await setup.close();
  }
}

/** CPU time the calling thread has run, in ms (Linux: the first field of schedstat is nanoseconds on a CPU). */
function threadCpuMs(): number {
  return Number(Deno.readTextFileSync("/proc/thread-self/schedstat").split(" ")[0]) / 1e6;
}

/**
 * How long the serving loop ran between two firings of a 10 ms timer, counted in this thread's CPU time rather
 * than wall time: what a request would wait for on an idle machine, read the same on a loaded one (where wall
 * time also counts the time other processes had the CPU). Linux only; `undefined` elsewhere.
 */
function startLoopMeter() {
  try {
    threadCpuMs();
  } catch {
    return undefined;
  }
  const busy: number[] = [];
  let last = threadCpuMs();
  const timer = setInterval(() => {
    const now = threadCpuMs();
    busy.push(now - last);
    last = now;
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      return busy.sort((a, b) => a - b);
    },
  };
}

async function responsiveness(mode: Mode, files: FileSpec[]) {
  const setup = await setUp(mode);
  let peakRss = await residentMb("VmRSS");
  const sampler = setInterval(async () => peakRss = Math.max(peakRss, await residentMb("VmRSS")), 100);
  const probe = startProbe(setup.url);
  const meter = startLoopMeter();
  try {
    const started = performance.now();
    const ids = [];
    for (const f of files) ids.push(await upload(setup.bed, f));
    const rows = await waitSettled(setup, ids);
    const seconds = (performance.now() - started) / 1000;
    const lines = await probe.stop();
    const busy = meter?.stop() ?? [];
    clearInterval(sampler);
    const ok = lines.filter((l) => l.startsWith("ok")).map((l) => Number(l.split(" ")[1])).sort((a, b) =>
      a - b
    );
    return {
      seconds,
      probes: lines.length,
      failedProbes: lines.length - ok.length,
      p50: percentile(ok, 0.5),
      p99: percentile(ok, 0.99),
      max: ok.at(-1) ?? NaN,
      peakRss,
      loopP99: percentile(busy, 0.99),
      loopMax: busy.at(-1) ?? NaN,
      failedDocs: rows.filter((r) => r.status === "failed").length,
    };
  } finally {
    clearInterval(sampler);
    meter?.stop();
    await probe.stop().catch(() => {});
    await setup.close();
  }
}

/** Runs one measurement in a fresh process (so one mode's memory and loaded model never count for the other). */
async function measure(
  run: "throughput" | "responsiveness",
  mode: Mode,
  hostileDir: string,
): Promise<Record<string, number>> {
  const db = await Deno.makeTempDir({ prefix: "bench_ingest_db_" });
  await seedPgliteDir(`${db}/pglite`);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL(import.meta.url).pathname,
      "--run",
      run,
      "--mode",
      mode,
      "--hostile",
      hostileDir,
      "--db",
      db,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const line = text.split("\n").find((l) => l.startsWith("{"));
  if (!out.success || !line) throw new Error(`${run} ${mode} failed (exit ${out.code}): ${text.slice(-500)}`);
  return JSON.parse(line);
}

/** Writes the hostile set to a directory (generated once, in the parent: its garbage must not count as RSS). */
async function writeHostile(dir: string): Promise<FileSpec[]> {
  const files = await hostileSet();
  for (const f of files) await Deno.writeFile(`${dir}/${f.name}`, f.bytes);
  return files;
}

async function readHostile(dir: string): Promise<FileSpec[]> {
  const files: FileSpec[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const type = entry.name.split(".").pop() as FileSpec["type"];
    files.push({ name: entry.name, type, bytes: await Deno.readFile(`${dir}/${entry.name}`) });
  }
  return files;
}

if (import.meta.main && flag("run")) {
  const mode = flag("mode") as Mode;
  const real = await realFixtures();
  const result = flag("run") === "throughput"
    ? { pagesPerSecond: await throughput(mode, real) }
    : await responsiveness(mode, [...await readHostile(flag("hostile")!), ...real]);
  console.log(JSON.stringify(result));
  Deno.exit(0);
}

if (import.meta.main) {
  const modes = (flag("modes") ?? "inline,process").split(",") as Mode[];
  const rounds = Number(flag("rounds") ?? 1);
  const hostileDir = await Deno.makeTempDir({ prefix: "bench_hostile_" });
  const hostile = await writeHostile(hostileDir);
  console.log(
    `hostile set: ${hostile.map((f) => `${f.name} ${Math.round(f.bytes.length / 1024)} KB`).join(", ")}`,
  );
  const pagesPerSecond: Record<string, number[]> = {};
  // Paired rounds (one mode right after the other) so both see the same background load as far as possible.
  for (let r = 0; r < (Deno.args.includes("--skip-throughput") ? 0 : rounds); r++) {
    for (const mode of modes) {
      const { pagesPerSecond: pps } = await measure("throughput", mode, hostileDir);
      (pagesPerSecond[mode] ??= []).push(pps);
      console.log(
        `throughput ${mode.padEnd(7)} round ${r + 1}: ${pps.toFixed(1)} pages/s (141 pages, 3 PDFs)`,
      );
    }
  }
  for (const mode of Deno.args.includes("--skip-responsiveness") ? [] : modes) {
    const m = await measure("responsiveness", mode, hostileDir);
    console.log(
      `responsiveness ${mode.padEnd(7)}: ${m.probes} probes of /healthz over ${m.seconds.toFixed(1)} s, ` +
        `${m.failedProbes} unanswered (5 s), p50 ${m.p50} ms, p99 ${m.p99} ms, max ${m.max} ms; ` +
        `peak RSS ${Math.round(m.peakRss)} MB; ${m.failedDocs} documents failed; serving loop busy between ` +
        `10 ms timer ticks (its CPU time, load-independent): p99 ${m.loopP99?.toFixed(1)} ms, ` +
        `max ${m.loopMax?.toFixed(1)} ms`,
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  if (pagesPerSecond.inline && pagesPerSecond.process) {
    const ratio = median(pagesPerSecond.process) / median(pagesPerSecond.inline);
    console.log(`throughput process ÷ inline: ${ratio.toFixed(2)}× (target ≥ 0.9×)`);
  }
  await Deno.remove(hostileDir, { recursive: true });
}
