import type { ExtractedPage, TextBlock } from "../types.ts";

/** Largest logical page of a document that has no pages of its own (DOCX, TXT, Markdown), in characters. */
export const LOGICAL_PAGE_CHARS = 3000;

/**
 * Groups blocks of a document without physical pages into logical pages: a new page at each top-level heading,
 * and whenever a page would grow past `maxChars`; paragraphs longer than that are cut at sentence or word ends.
 */
export function paginateBlocks(blocks: TextBlock[], maxChars = LOGICAL_PAGE_CHARS): ExtractedPage[] {
  const topLevel = Math.min(...blocks.filter((b) => b.kind === "heading").map((b) => b.level ?? 1));
  const pages: ExtractedPage[] = [];
  let current: TextBlock[] = [];
  let size = 0;
  const flush = () => {
    if (current.length > 0) pages.push({ pageNumber: pages.length + 1, blocks: current });
    current = [];
    size = 0;
  };
  for (const block of blocks) {
    const pieces = block.kind === "paragraph" ? splitText(block.text, maxChars) : [block.text];
    for (const text of pieces) {
      const startsSection = block.kind === "heading" && (block.level ?? 1) === topLevel;
      const onlyHeadings = current.every((b) => b.kind === "heading");
      if ((startsSection && !onlyHeadings) || (size > 0 && size + text.length > maxChars)) flush();
      current.push({ ...block, text });
      size += text.length;
    }
  }
  flush();
  return pages;
}

/** Cuts text into pieces of at most `maxChars`, preferring line ends, then sentence ends, then spaces. */
export function splitText(text: string, maxChars: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > maxChars) {
    const window = rest.slice(0, maxChars + 1);
    const cut = lastBreak(window, /\n/g) ?? lastBreak(window, /[.!?؟।。](?=\s)/g) ??
      lastBreak(window, /\s/g) ??
      maxChars;
    pieces.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) pieces.push(rest);
  return pieces.filter(Boolean);
}

function lastBreak(window: string, pattern: RegExp): number | undefined {
  let last: number | undefined;
  for (const m of window.matchAll(pattern)) last = m.index + m[0].length;
  // A break in the first quarter would leave a tiny piece; look for a coarser kind instead.
  return last !== undefined && last > window.length / 4 ? last : undefined;
}
