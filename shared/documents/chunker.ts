import { segments } from "../text/sentences.ts";
import { estimateTokens } from "./tokens.ts";
import type { Chunk, ExtractedPage, PageBreak } from "./types.ts";

/** Chunk sizes, in approximate tokens (see `estimateTokens`). */
export interface ChunkOptions {
  /** Size a chunk grows to before a new one starts. */
  targetTokens: number;
  /** Tokens repeated from the end of the previous chunk at the start of the next, within one section. */
  overlapTokens: number;
  /** A section shorter than this is not closed at the next heading but continues into it. */
  minTokens: number;
}

/** Defaults: ~300-token chunks with ~50 tokens of overlap, small sections merged below ~60 tokens. */
export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { targetTokens: 300, overlapTokens: 50, minTokens: 60 };

/** A sentence-sized piece of text with the page it came from. */
interface Piece {
  text: string;
  page: number;
  tokens: number;
}

/**
 * Cuts a document into chunks: first by structure (a heading closes the chunk before it, paragraphs are never
 * merged across a heading unless the section is tiny), then by size at sentence ends with overlap. Each chunk
 * remembers its page range and the heading it starts under. Deterministic: same pages and options, same chunks.
 */
export function chunkDocument(pages: ExtractedPage[], options: Partial<ChunkOptions> = {}): Chunk[] {
  const o = { ...DEFAULT_CHUNK_OPTIONS, ...options };
  if (o.overlapTokens >= o.targetTokens) {
    throw new RangeError("overlapTokens must be smaller than targetTokens");
  }
  const chunks: Chunk[] = [];
  let pieces: Piece[] = [];
  let tokens = 0;
  let heading: string | undefined;
  let chunkHeading: string | undefined;

  const emit = () => {
    if (pieces.length === 0) return;
    const text = pieces.map((p) => p.text).join(" ").replace(/ *\n\s*/g, "\n").trim();
    chunks.push({
      ordinal: chunks.length,
      text,
      pageStart: Math.min(...pieces.map((p) => p.page)),
      pageEnd: Math.max(...pieces.map((p) => p.page)),
      pageBreaks: pageBreaks(pieces, text),
      ...(chunkHeading ? { heading: chunkHeading } : {}),
      tokens: estimateTokens(text),
    });
  };
  const add = (piece: Piece) => {
    if (pieces.length === 0) chunkHeading = heading;
    pieces.push(piece);
    tokens += piece.tokens;
  };

  for (const page of pages) {
    for (const block of page.blocks) {
      if (block.kind === "heading") {
        // A section ends here unless what we hold is only headings or too small to stand alone.
        const hasBody = pieces.some((p) => !p.text.startsWith("\n"));
        if (hasBody && tokens >= o.minTokens) {
          emit();
          pieces = [];
          tokens = 0;
        }
        heading = block.text;
        // Headings ride in the text too (marked with a leading newline), so search can match them.
        add({ text: `\n${block.text}\n`, page: page.pageNumber, tokens: estimateTokens(block.text) });
        continue;
      }
      for (const sentence of sentences(block.text, o.targetTokens)) {
        const piece = { text: sentence, page: page.pageNumber, tokens: estimateTokens(sentence) };
        if (tokens > 0 && tokens + piece.tokens > o.targetTokens) {
          emit();
          [pieces, tokens] = overlap(pieces, Math.min(o.overlapTokens, o.targetTokens - piece.tokens));
          chunkHeading = heading;
        }
        add(piece);
      }
      // Keep paragraph breaks visible in the chunk text.
      if (pieces.length > 0) {
        pieces[pieces.length - 1] = { ...pieces.at(-1)!, text: `${pieces.at(-1)!.text}\n` };
      }
    }
  }
  emit();
  return chunks;
}

/**
 * Where each new page begins in a chunk's final text: the first piece of each page is found in the text after the
 * previous one (pieces hold no newlines inside, so their trimmed text survives the chunk's whitespace clean-up).
 */
function pageBreaks(pieces: Piece[], text: string): PageBreak[] {
  const breaks: PageBreak[] = [];
  let cursor = 0;
  let page = pieces[0]?.page;
  for (const piece of pieces) {
    const own = piece.text.trim();
    const at = own ? text.indexOf(own, cursor) : -1;
    if (at >= 0) cursor = at + own.length;
    if (piece.page !== page) {
      page = piece.page;
      breaks.push({ at: at >= 0 ? at : cursor, page });
    }
  }
  return breaks;
}

/** The trailing pieces of a full chunk worth at most `budget` tokens, to start the next one with. */
function overlap(pieces: Piece[], budget: number): [Piece[], number] {
  const kept: Piece[] = [];
  let tokens = 0;
  for (let i = pieces.length - 1; i >= 0; i--) {
    if (tokens + pieces[i].tokens > budget) break;
    kept.unshift(pieces[i]);
    tokens += pieces[i].tokens;
  }
  return [kept, tokens];
}

/**
 * Sentences of a paragraph (the toolkit's `segments`: not after an initial or abbreviation, citation markers kept);
 * a sentence longer than `maxTokens` is cut at word boundaries.
 */
function sentences(text: string, maxTokens: number): string[] {
  const out: string[] = [];
  for (const sentence of segments(text)) {
    const s = sentence.trim();
    if (!s) continue;
    if (estimateTokens(s) <= maxTokens) {
      out.push(s);
      continue;
    }
    let current: string[] = [];
    let size = 0;
    for (const word of s.split(/\s+/).flatMap((w) => splitWord(w, maxTokens))) {
      const t = estimateTokens(word);
      if (size > 0 && size + t > maxTokens / 2) {
        out.push(current.join(" "));
        current = [];
        size = 0;
      }
      current.push(word);
      size += t;
    }
    if (current.length > 0) out.push(current.join(" "));
  }
  return out;
}

/** A "word" too long for a chunk (CJK runs, long URLs or formulas without spaces) cut into pieces that fit. */
function splitWord(word: string, maxTokens: number): string[] {
  const tokens = estimateTokens(word);
  if (tokens <= maxTokens / 2) return [word];
  const chars = [...word];
  const size = Math.max(1, Math.floor(chars.length * (maxTokens / 2) / tokens));
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(""));
  return pieces;
}
