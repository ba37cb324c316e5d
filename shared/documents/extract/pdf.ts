import { getDocumentProxy } from "unpdf";
import { lamAlefLooksSwapped, repairLamAlef, repairSplitWords } from "../arabic.ts";
import { DocumentError } from "../errors.ts";
import { DEFAULT_DOCUMENT_LIMITS, tooMuchText } from "../limits.ts";
import { arabicLooksReversed, normalizeExtractedText, reverseArabicRuns } from "../normalize.ts";
import type { ExtractedDocument, ExtractedPage, TextBlock } from "../types.ts";
import { ligatureGlyphs } from "./pdf_glyphs.ts";
import { assembleLine, isRightToLeft, type LinePiece } from "./pdf_lines.ts";

interface Line {
  text: string;
  /** The line's pieces in the order the page draws them, as pdf.js returns them. */
  stream: string;
  height: number;
  y: number;
}

interface TextItemLike {
  str: string;
  height: number;
  width: number;
  dir: string;
  transform: number[];
  hasEOL: boolean;
}

// A line this much taller than the body text, and short, is a heading.
const HEADING_RATIO = 1.18;
const HEADING_MAX_CHARS = 120;
// A vertical gap above this many line heights starts a new paragraph, or (right-to-left pages) above this share
// of the page's usual distance between lines.
const PARAGRAPH_GAP = 1.7;
const PARAGRAPH_PITCH = 1.2;

/** Limits checked while a PDF is read, and a callback after each page. */
export interface PdfOptions {
  /** Pages accepted; a longer PDF fails before any page is read. */
  maxPages?: number;
  /** Characters accepted; reading stops at the page that passes it. */
  maxChars?: number;
  onPage?: (pagesDone: number, pagesTotal: number) => void;
}

/** Extracts text per page from a PDF with unpdf (pdf.js), keeping page numbers and guessing headings by size. */
export async function extractPdf(bytes: Uint8Array, options: PdfOptions = {}): Promise<ExtractedDocument> {
  const maxPages = options.maxPages ?? DEFAULT_DOCUMENT_LIMITS.maxPages;
  const maxChars = options.maxChars ?? DEFAULT_DOCUMENT_LIMITS.maxChars;
  // pdf.js may transfer (detach) the buffer it is given: hand it a copy so the caller's bytes stay usable.
  const data = bytes.slice();
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    pdf = await getDocumentProxy(data, { verbosity: 0 });
  } catch (err) {
    throw pdfError(err);
  }
  try {
    if (pdf.numPages > maxPages) {
      throw new DocumentError(
        "too_many_pages",
        `This PDF has ${pdf.numPages} pages; at most ${maxPages} are accepted (split it into smaller files)`,
      );
    }
    const pageLines: Line[][] = [];
    let chars = 0;
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      for (const item of content.items) chars += (item as Partial<TextItemLike>).str?.length ?? 0;
      if (chars > maxChars) throw tooMuchText(maxChars);
      options.onPage?.(n, pdf.numPages);
      pageLines.push(toLines(content.items as TextItemLike[], await ligatureGlyphs(page, content.items)));
      page.cleanup();
    }
    dropRunningLines(pageLines);
    const bodyHeight = dominantHeight(pageLines.flat());
    const headingSizes = [
      ...new Set(
        pageLines.flat().filter((l) => isHeading(l, bodyHeight)).map((l) => Math.round(l.height)),
      ),
    ].sort((a, b) => b - a);
    const pages: ExtractedPage[] = pageLines.map((lines, i) => ({
      pageNumber: i + 1,
      blocks: toBlocks(lines, bodyHeight, headingSizes),
    }));
    const title = await pdfTitle(pdf);
    return { type: "pdf", pages, pagination: "physical", ...(title ? { title } : {}) };
  } catch (err) {
    if (err instanceof DocumentError) throw err;
    throw pdfError(err);
  } finally {
    await pdf.loadingTask.destroy();
  }
}

function pdfError(err: unknown): DocumentError {
  const name = (err as { name?: string })?.name;
  if (name === "PasswordException") {
    return new DocumentError("encrypted", "This PDF is password-protected; upload an unprotected copy", {
      cause: err,
    });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new DocumentError(
    "corrupt",
    `This PDF could not be read (${detail}); it may be damaged or incomplete`,
    {
      cause: err,
    },
  );
}

async function pdfTitle(pdf: Awaited<ReturnType<typeof getDocumentProxy>>): Promise<string | undefined> {
  try {
    const meta = await pdf.getMetadata();
    const title = (meta.info as { Title?: unknown } | undefined)?.Title;
    return typeof title === "string" && title.trim() ? normalizeExtractedText(title) : undefined;
  } catch {
    return undefined; // metadata is optional; a broken info dictionary must not fail the document
  }
}

/** Lines of a page: pdf.js marks line ends; each line's pieces are put in reading order by `assembleLine`. */
function toLines(items: TextItemLike[], glyphs?: (string[] | undefined)[]): Line[] {
  const direction = isRightToLeft(items.map((i) => i.str ?? "").join("")) ? "rtl" : "ltr";
  const lines: Line[] = [];
  let pieces: LinePiece[] = [];
  let sizes = new Map<number, number>();
  let y = Number.NaN;
  const push = () => {
    const text = assembleLine(pieces, direction);
    // The size carrying most characters: a superscript or a tall math glyph must not make a line a heading.
    if (text.trim()) {
      lines.push({
        text,
        stream: pieces.map((p) => p.str).join(""),
        height: [...sizes].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0],
        y,
      });
    }
    pieces = [];
    sizes = new Map();
    y = Number.NaN;
  };
  for (const [i, item] of items.entries()) {
    if (typeof item.str !== "string") continue; // marked-content entries carry no text
    if (item.str.trim()) {
      if (Number.isNaN(y)) y = item.transform[5];
      const h = Math.round(item.height * 2) / 2;
      sizes.set(h, (sizes.get(h) ?? 0) + item.str.length);
    }
    pieces.push({
      str: item.str,
      x: item.transform[4],
      width: item.width,
      size: item.height || Math.hypot(item.transform[2], item.transform[3]),
      dir: item.dir,
      glyphs: glyphs?.[i],
    });
    if (item.hasEOL) push();
  }
  push();
  // Some producers (WeasyPrint) map one glyph to a whole word already in logical order, so pdf.js' own
  // reordering reverses them: such pages keep their drawing order and are reversed back by `toBlocks`.
  if (arabicLooksReversed(lines.map((l) => l.stream).join("\n"))) {
    for (const l of lines) l.text = l.stream;
  }
  return lines;
}

// Running headers and footers are looked for among the first and last lines of each page.
const EDGE_LINES = 2;
const RUNNING_MAX_CHARS = 100;

/**
 * Removes running headers and footers, which would otherwise repeat in every chunk, skew search and cut
 * sentences that go on over a page break: lines that recur (digits ignored) on at least a third of the pages
 * (at least three) or at the same height on every page (documents too short for that count), and short lines
 * carrying the printed page number ("52 3.3. ÜBERLAGERUNGEN", "Chapter 2 | … 7") once the offset between printed and physical page numbers is
 * clear from at least a third of the pages.
 */
function dropRunningLines(pageLines: Line[][]): void {
  const threshold = Math.max(3, pageLines.length / 3);
  const key = (l: Line) => l.text.replace(/\d+/g, "#").replace(/\s+/g, " ").trim();
  // Documents too short for that count: a line at the same height on every page is running too.
  const placed = (l: Line) => `${key(l)}@${Math.round(l.y)}`;
  const isEdge = (j: number, lines: Line[]) => j < EDGE_LINES || j >= lines.length - EDGE_LINES;
  const edges = (lines: Line[]) => lines.filter((_, j) => isEdge(j, lines));
  const printedNumbers = (l: Line) => {
    const text = l.text.trim();
    if (text.length > RUNNING_MAX_CHARS) return [];
    return [text.match(/^(\d{1,4})\b/)?.[1], text.match(/\b(\d{1,4})$/)?.[1]].filter((n) => n !== undefined)
      .map(Number);
  };

  const seen = new Map<string, number>();
  const seenPlaced = new Map<string, number>();
  const offsets = new Map<number, number>();
  for (const [i, lines] of pageLines.entries()) {
    for (const k of new Set(edges(lines).map(key))) seen.set(k, (seen.get(k) ?? 0) + 1);
    for (const k of new Set(edges(lines).map(placed))) seenPlaced.set(k, (seenPlaced.get(k) ?? 0) + 1);
    const pageOffsets = new Set(edges(lines).flatMap(printedNumbers).map((n) => i + 1 - n));
    for (const o of pageOffsets) offsets.set(o, (offsets.get(o) ?? 0) + 1);
  }
  const running = new Set([...seen].filter(([k, n]) => n >= threshold && k !== "#").map(([k]) => k));
  const everyPage = pageLines.length >= 2
    ? new Set([...seenPlaced].filter(([, n]) => n === pageLines.length).map(([k]) => k))
    : new Set<string>();
  const [offset, count] = [...offsets].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0] ?? [0, 0];
  const numbered = count >= threshold;
  for (const [i, lines] of pageLines.entries()) {
    pageLines[i] = lines.filter((l, j) =>
      !isEdge(j, lines) ||
      !(running.has(key(l)) || everyPage.has(placed(l)) ||
        (numbered && printedNumbers(l).includes(i + 1 - offset)))
    );
  }
}

/** The line height that carries the most characters: the body text size. */
function dominantHeight(lines: Line[]): number {
  const weight = new Map<number, number>();
  for (const l of lines) weight.set(l.height, (weight.get(l.height) ?? 0) + l.text.length);
  let best = 0;
  let bestWeight = -1;
  for (const [h, w] of weight) {
    if (w > bestWeight || (w === bestWeight && h < best)) [best, bestWeight] = [h, w];
  }
  return best;
}

function isHeading(line: Line, bodyHeight: number): boolean {
  const text = line.text.trim();
  if (bodyHeight <= 0 || line.height < bodyHeight * HEADING_RATIO || text.length > HEADING_MAX_CHARS) {
    return false;
  }
  // Display maths is set large too; a heading is mostly words.
  const visible = text.replace(/\s/g, "");
  const letters = visible.match(/\p{L}/gu)?.length ?? 0;
  return /\p{L}{2}/u.test(text) && letters >= 0.6 * visible.length && !text.includes("=");
}

function toBlocks(lines: Line[], bodyHeight: number, headingSizes: number[]): TextBlock[] {
  const raw = lines.map((l) => l.text).join("\n");
  const reversed = arabicLooksReversed(raw);
  const swapped = lamAlefLooksSwapped(raw);
  const fix = (s: string) =>
    repairSplitWords(repairLamAlef(normalizeExtractedText(reversed ? reverseArabicRuns(s) : s), swapped));
  // Arabic fonts set lines far apart (Amiri: 1.75 heights); Latin pages keep the plain measure, which their
  // paragraph spacing was tuned on.
  const pitch = isRightToLeft(raw) ? linePitch(lines) : 0;
  const blocks: TextBlock[] = [];
  let paragraph = "";
  let previous: Line | undefined;
  const flush = () => {
    const text = fix(paragraph);
    if (text) blocks.push({ kind: "paragraph", text });
    paragraph = "";
  };
  for (const line of lines) {
    if (isHeading(line, bodyHeight)) {
      flush();
      const text = fix(line.text);
      const level = Math.min(headingSizes.indexOf(Math.round(line.height)) + 1, 6) || 1;
      const last = blocks.at(-1);
      // Headings wrapped over two lines arrive as two lines of the same size.
      if (last?.kind === "heading" && last.level === level && previous && isHeading(previous, bodyHeight)) {
        last.text = `${last.text} ${text}`;
      } else if (text) blocks.push({ kind: "heading", text, level });
      previous = line;
      continue;
    }
    const gap = previous ? Math.abs(previous.y - line.y) : 0;
    const height = Math.max(line.height, previous?.height ?? 0, 1);
    if (previous && gap > Math.max(PARAGRAPH_GAP * height, PARAGRAPH_PITCH * pitch)) flush();
    paragraph = joinLine(paragraph, line.text);
    previous = line;
  }
  flush();
  return blocks;
}

/** The page's usual distance between consecutive baselines of body lines (0 when it has too few lines). */
function linePitch(lines: Line[]): number {
  const gaps = lines.slice(1).map((l, i) => Math.abs(lines[i].y - l.y))
    .filter((g, i) => g > 0.8 * lines[i].height && g < 3 * lines[i].height).sort((a, b) => a - b);
  // The lower quartile: the spacing inside paragraphs, which most pages have more of than any other.
  return gaps.length >= 3 ? gaps[Math.floor(gaps.length / 4)] : 0;
}

/** Joins a wrapped line, undoing end-of-line hyphenation only where the next line continues the word. */
function joinLine(paragraph: string, next: string): string {
  const line = next.trim();
  if (!paragraph) return line;
  if (/\p{Ll}-$/u.test(paragraph) && /^\p{Ll}/u.test(line)) return paragraph.slice(0, -1) + line;
  if (paragraph.endsWith("-")) return paragraph + line;
  return `${paragraph} ${line}`;
}
