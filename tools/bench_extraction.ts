/**
 * Extraction benchmark. Run: `deno task bench:extraction [runs]`.
 *
 * 1. Reading order: the share of reference lines found intact in the chunks. For the generated Arabic PDFs the
 *    reference is the source text their generator typeset (`shared/documents/testing/arabic_corpus.ts`); for the
 *    English and German PDFs it is `pdftotext`'s lines of four words or more (skipped when poppler-utils is not
 *    installed; lines ending in a hyphen are left out, since chunks rejoin hyphenated words).
 * 2. Throughput on the real PDF fixtures (pages/s, chunks/s): each file is processed once to warm up, then
 *    `runs` times; the median run is reported. The machine is shared, so timings are noisy.
 */
import { chunkDocument } from "../shared/documents/chunker.ts";
import { extractDocument } from "../shared/documents/extract/mod.ts";
import { ARABIC_CORPUS, referenceUnits } from "../shared/documents/testing/arabic_corpus.ts";
import { PDF_FIXTURES, readPdfFixture } from "../shared/documents/testing/fixtures.ts";
import { readingOrderScore } from "../shared/documents/testing/reading_order.ts";

const RUNS = Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 3);
const VERBOSE = Deno.args.includes("--missing");

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function chunkTexts(bytes: Uint8Array): Promise<string[]> {
  const doc = await extractDocument(bytes, "pdf");
  return chunkDocument(doc.pages).map((c) => c.text);
}

async function pdftotextLines(name: string): Promise<string[] | undefined> {
  try {
    const path = new URL(`../fixtures/pdfs/${name}`, import.meta.url).pathname;
    const out = await new Deno.Command("pdftotext", { args: ["-enc", "UTF-8", path, "-"], stdout: "piped" })
      .output();
    if (!out.success) return undefined;
    return new TextDecoder().decode(out.stdout).split("\n").map((l) => l.trim())
      .filter((l) => l.split(/\s+/).length >= 4 && !l.endsWith("-"));
  } catch {
    return undefined; // pdftotext is not installed
  }
}

function report(name: string, score: { found: number; total: number; missing: string[] }): void {
  const share = score.total ? (100 * score.found / score.total).toFixed(1) : "-";
  console.log(
    `${name.padEnd(44)} ${String(score.found).padStart(5)}/${String(score.total).padEnd(5)} ${share}%`,
  );
  if (VERBOSE) { for (const m of score.missing) console.log(`    missing: ${m}`); }
}

console.log("reading order (reference lines found intact in the chunks)");
let found = 0;
let total = 0;
for (const doc of ARABIC_CORPUS) {
  const bytes = await readPdfFixture(`generated/${doc.file}`);
  const score = readingOrderScore(referenceUnits(doc), await chunkTexts(bytes));
  found += score.found;
  total += score.total;
  report(`generated/${doc.file}`, score);
}
report("generated Arabic set", { found, total, missing: [] });
for (const name of [PDF_FIXTURES.english, PDF_FIXTURES.german]) {
  const lines = await pdftotextLines(name);
  if (!lines) {
    console.log(`${name.padEnd(44)} skipped: pdftotext not installed`);
    continue;
  }
  report(name, readingOrderScore(lines, await chunkTexts(await readPdfFixture(name))));
}

console.log(
  "\nfile                                          pages  chunks  extract ms  chunk ms  pages/s  chunks/s",
);
for (const name of [PDF_FIXTURES.english, PDF_FIXTURES.german]) {
  const bytes = await readPdfFixture(name);
  await extractDocument(bytes, "pdf");
  const extractMs: number[] = [];
  const chunkMs: number[] = [];
  let pages = 0;
  let chunks = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const doc = await extractDocument(bytes, "pdf");
    const t1 = performance.now();
    const cut = chunkDocument(doc.pages);
    const t2 = performance.now();
    extractMs.push(t1 - t0);
    chunkMs.push(t2 - t1);
    pages = doc.pages.length;
    chunks = cut.length;
  }
  const total = median(extractMs.map((e, i) => e + chunkMs[i])) / 1000;
  console.log(
    [
      name.padEnd(44),
      String(pages).padStart(6),
      String(chunks).padStart(7),
      median(extractMs).toFixed(0).padStart(11),
      median(chunkMs).toFixed(1).padStart(9),
      (pages / total).toFixed(1).padStart(8),
      (chunks / total).toFixed(1).padStart(9),
    ].join(" "),
  );
}
