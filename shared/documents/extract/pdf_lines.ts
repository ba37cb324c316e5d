/**
 * Reading order of one PDF text line from pdf.js' positioned pieces. pdf.js returns each piece's text in logical
 * order, but the pieces of a line in the order the producer drew them: for right-to-left lines that is often left
 * to right, so their words come out backwards, and it inserts no space between pieces it split apart.
 */
import bidiModule, { type Bidi } from "bidi-js";

// The package is CommonJS whose export is the factory; its type declarations describe an ES default export.
const bidi = (bidiModule as unknown as () => Bidi)();

/** One pdf.js text item reduced to what line assembly needs (page units). */
export interface LinePiece {
  str: string;
  /** Left edge. */
  x: number;
  width: number;
  /** Font size: gaps are measured against it. */
  size: number;
  /** pdf.js' direction of the piece ("rtl" when it reordered the piece's characters). */
  dir?: string;
}

// Hebrew, Arabic, Syriac, Thaana, N'Ko and their presentation forms: scripts written right to left.
const RTL_CHAR = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]/;
const RTL_CHARS = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]/g;
const LTR_LETTERS = /(?![\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC])\p{L}/gu;
// A gap wider than this share of the font size between two pieces is a space; pdf.js applies the same measure
// inside a piece.
const SPACE_GAP = 0.1;
const TATWEEL = "\u0640";
const MARKS_ONLY = /^\s*\p{M}+\s*$/u;

/** Whether a line's text is mostly written right to left (counts letters only). */
export function isRightToLeft(text: string): boolean {
  return (text.match(RTL_CHARS)?.length ?? 0) > (text.match(LTR_LETTERS)?.length ?? 0);
}

/**
 * The text of one line in logical (reading) order. Lines without right-to-left script keep pdf.js' order and
 * text. Lines with it are laid out left to right by position, a space put where pieces are a space apart, and
 * the Unicode bidirectional algorithm (base direction: the line's majority script) turns that visual order into
 * logical order, so numbers and Latin words inside Arabic keep their own left-to-right order. `pageDirection`
 * is the majority direction of the page, the base direction of lines with little text of either script.
 */
export function assembleLine(pieces: LinePiece[], pageDirection: "ltr" | "rtl" = "ltr"): string {
  const texts = pieces.filter((p) => p.str.length > 0);
  if (!texts.some((p) => RTL_CHAR.test(p.str))) return texts.map((p) => p.str).join("");
  const marks = texts.filter((p) => MARKS_ONLY.test(p.str));
  const visual = texts.filter((p) => !marks.includes(p)).sort((a, b) => a.x - b.x)
    .map((piece) => ({ piece, text: toVisual(piece) }));
  for (const mark of marks) attachMarks(visual, mark);
  let line = "";
  let previous: LinePiece | undefined;
  for (const { piece, text } of visual) {
    if (previous && needsSpace(previous, piece, line, text)) line += " ";
    line += text;
    previous = piece;
  }
  // A line's base direction is its paragraph's: a right-to-left page keeps it for lines led by a Latin URL.
  const base = isRightToLeft(line) || pageDirection === "rtl" ? "rtl" : "ltr";
  return reorder(line, base);
}

/**
 * Puts a piece of combining marks alone (pdf.js splits off diacritics some producers draw separately) into the
 * piece it is drawn over, before the letter at its position: reordering then leaves it after that letter.
 */
function attachMarks(visual: { piece: LinePiece; text: string }[], mark: LinePiece): void {
  const marks = mark.str.replace(/\s/g, "");
  const host = visual.find(({ piece }) => mark.x >= piece.x - 1 && mark.x <= piece.x + piece.width + 1);
  if (!host) {
    visual.push({ piece: mark, text: marks });
    visual.sort((a, b) => a.piece.x - b.piece.x);
    return;
  }
  const share = host.piece.width > 0 ? (mark.x - host.piece.x) / host.piece.width : 0;
  const at = Math.max(0, Math.min(host.text.length, Math.floor(share * host.text.length)));
  host.text = host.text.slice(0, at) + marks + host.text.slice(at);
}

/** The piece's characters in the order they sit on the page, left to right. */
function toVisual(piece: LinePiece): string {
  if (!RTL_CHAR.test(piece.str)) return piece.str;
  return reorder(piece.str, piece.dir === "ltr" ? "ltr" : "rtl");
}

/**
 * Applies the bidirectional algorithm's reordering (rule L2) to `text`. The reordering maps logical to visual
 * order and, for the one or two levels of real lines, is its own inverse: it maps visual order back as well.
 */
function reorder(text: string, base: "ltr" | "rtl"): string {
  // bidi-js indexes UTF-16 code units; a line with characters outside the BMP (rare here) keeps its order.
  if (/[\uD800-\uDFFF]/.test(text)) return text;
  // No mirroring: a PDF's glyph-to-Unicode map names a mirrored bracket by the character the text holds, as
  // pdf.js assumes when it reorders a piece.
  const levels = bidi.getEmbeddingLevels(text, base);
  return bidi.getReorderedIndices(text, levels).map((i) => text[i]).join("");
}

function needsSpace(left: LinePiece, right: LinePiece, before: string, next: string): boolean {
  if (/\s$/.test(before) || /^\s/.test(next)) return false;
  // Kashida stretches a word across pieces: the word goes on.
  if (before.endsWith(TATWEEL) || next.startsWith(TATWEEL)) return false;
  const gap = right.x - (left.x + left.width);
  return gap > SPACE_GAP * Math.max(left.size, right.size);
}
