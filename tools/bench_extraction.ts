/**
 * Extraction + chunking throughput on the real PDF fixtures (pages/s, chunks/s). Run: `deno task bench:extraction`.
 * Each file is processed once to warm up, then `RUNS` times; the median run is reported.
 */
import { chunkDocument } from "../shared/documents/chunker.ts";
import { extractDocument } from "../shared/documents/extract/mod.ts";
import { PDF_FIXTURES, readPdfFixture } from "../shared/documents/testing/fixtures.ts";

const RUNS = Number(Deno.args[0] ?? 3);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

console.log(
  "file                                          pages  chunks  extract ms  chunk ms  pages/s  chunks/s",
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
