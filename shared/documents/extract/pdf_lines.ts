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
  /** The Unicode text of each glyph drawn for the piece, in drawing order, when known. */
  glyphs?: string[];
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
  let texts = pieces.filter((p) => p.str.length > 0);
  if (!texts.some((p) => RTL_CHAR.test(p.str))) return texts.map((p) => p.str).join("");
  // A mark glyph without a Unicode mapping: pdf.js gives its raw code ("D" for a tanween), with no width.
  texts = texts.filter((p) => !(p.width === 0 && /^[\x21-\x7E]{1,2}$/.test(p.str)));
  const inner = texts.filter((p) => MARKS_ONLY.test(p.str) || insideAnother(p, texts));
  const visual: Placed[] = texts.filter((p) => !inner.includes(p)).sort((a, b) => a.x - b.x)
    .map((piece) => ({ piece, ...toVisual(piece) }));
  for (const piece of inner) placeInside(visual, piece);
  let line = "";
  const glyphs: Glyph[] = [];
  let previous: LinePiece | undefined;
  for (const { piece, text, glyphs: own } of visual) {
    if (previous && needsSpace(previous, piece, line, text)) line += " ";
    for (const g of own) glyphs.push({ at: line.length + g.at, text: g.text });
    line += text;
    previous = piece;
  }
  // A line's base direction is its paragraph's: a right-to-left page keeps it for lines led by a Latin URL.
  const base = isRightToLeft(line) || pageDirection === "rtl" ? "rtl" : "ltr";
  return reorder(line, base, glyphs);
}

/** A glyph that stands for several characters (a lam-alef ligature), at an offset of a visual text. */
interface Glyph {
  at: number;
  text: string;
}

/** A piece with its text in visual order and its several-character glyphs. */
interface Placed {
  piece: LinePiece;
  text: string;
  glyphs: Glyph[];
}

/** Whether a piece is drawn inside another, wider one (a colon set in a gap the other piece left for it). */
function insideAnother(piece: LinePiece, all: LinePiece[]): boolean {
  return all.some((other) =>
    other !== piece && other.width > piece.width && piece.x > other.x + 0.5 &&
    piece.x + piece.width < other.x + other.width - 0.5 && !MARKS_ONLY.test(other.str)
  );
}

/**
 * Puts a piece drawn over or inside another piece into that piece's text at its position: combining marks
 * (drawn apart by some producers) before the letter there, so reordering leaves them after it; anything else at
 * the nearest space, joined to the word on its right, which in right-to-left text it follows, or in place of the
 * space inside a number.
 */
function placeInside(visual: Placed[], inner: LinePiece): void {
  const text = MARKS_ONLY.test(inner.str) ? inner.str.replace(/\s/g, "") : toVisual(inner).text.trim();
  const host = visual.find(({ piece }) =>
    piece.str.trim() && inner.x >= piece.x - 1 && inner.x + inner.width <= piece.x + piece.width + 1
  );
  if (!host) {
    visual.push({ piece: inner, text, glyphs: [] });
    visual.sort((a, b) => a.piece.x - b.piece.x);
    return;
  }
  const share = host.piece.width > 0 ? (inner.x - host.piece.x) / host.piece.width : 0;
  let at = atShare(host.text, share);
  let replace = 0;
  if (!MARKS_ONLY.test(inner.str)) {
    at = nearestSpace(host.text, at);
    // Inside a number ("4 250" with its comma drawn apart) the space is the gap left for the separator.
    if (!RTL_CHAR.test(host.text) && /\d $/.test(host.text.slice(0, at)) && /^\d/.test(host.text.slice(at))) {
      [at, replace] = [at - 1, 1];
    }
  }
  host.text = host.text.slice(0, at) + text + host.text.slice(at + replace);
  for (const g of host.glyphs) if (g.at >= at) g.at += text.length - replace;
}

/** The offset in `text` at `share` of its width, counting letters but not the marks that take no width. */
function atShare(text: string, share: number): number {
  const bases = [...text].map((c, i) => /\p{M}/u.test(c) ? -1 : i).filter((i) => i >= 0);
  const k = Math.max(0, Math.min(bases.length, Math.floor(share * bases.length)));
  return k === bases.length ? text.length : bases[k];
}

/** The position just after the space nearest to `at` (or `at` itself when the text has no space). */
function nearestSpace(text: string, at: number): number {
  for (let d = 0; d < text.length; d++) {
    if (text[at - d - 1] === " ") return at - d;
    if (text[at + d - 1] === " ") return at + d;
  }
  return at;
}

/**
 * The piece's characters in the order they sit on the page, left to right, and where its several-character
 * glyphs are. pdf.js reverses a right-to-left piece character by character, which also reverses the characters
 * of one glyph: a lam-alef ligature mapped to "لا" comes out "ال". The glyphs drawn for the piece (when known)
 * locate them, so the final reordering can keep each glyph's characters in their own order.
 */
function toVisual(piece: LinePiece): { text: string; glyphs: Glyph[] } {
  if (!RTL_CHAR.test(piece.str)) return { text: piece.str, glyphs: [] };
  const text = reorder(piece.str, piece.dir === "ltr" ? "ltr" : "rtl", []);
  return { text, glyphs: locateGlyphs(text, piece.glyphs) };
}

/** Offsets in `text` (visual order) of the glyphs with several characters; none when the glyphs do not match. */
function locateGlyphs(text: string, glyphs: string[] | undefined): Glyph[] {
  if (!glyphs?.some((g) => g.replace(/\s/g, "").length > 1)) return [];
  const found: Glyph[] = [];
  let at = 0;
  for (const glyph of glyphs) {
    const chars = glyph.replace(/\s/g, "");
    if (!chars) continue;
    while (at < text.length && /\s/.test(text[at])) at++;
    if (text.slice(at, at + chars.length) !== chars) {
      // pdf.js reversed the glyph's characters: they sit on the page the other way round.
      if (text.slice(at, at + chars.length) !== [...chars].reverse().join("")) return [];
      if (chars.length > 1) found.push({ at, text: chars });
    } else if (chars.length > 1) found.push({ at, text: chars });
    at += chars.length;
  }
  return found;
}

/**
 * Applies the bidirectional algorithm's reordering (rule L2) to `text`. The reordering maps logical to visual
 * order and, for the one or two levels of real lines, is its own inverse: it maps visual order back as well.
 * The characters of each glyph in `glyphs` are written back in the glyph's own order.
 */
function reorder(text: string, base: "ltr" | "rtl", glyphs: Glyph[]): string {
  // bidi-js indexes UTF-16 code units; a line with characters outside the BMP (rare here) keeps its order.
  if (/[\uD800-\uDFFF]/.test(text)) return text;
  // No mirroring: a PDF's glyph-to-Unicode map names a mirrored bracket by the character the text holds, as
  // pdf.js assumes when it reorders a piece.
  const levels = bidi.getEmbeddingLevels(text, base);
  const indices = bidi.getReorderedIndices(text, levels);
  const out = indices.map((i) => text[i]);
  if (glyphs.length > 0) {
    const position = new Map(indices.map((source, j) => [source, j]));
    for (const { at, text: chars } of glyphs) {
      const slots = [...chars].map((_, k) => position.get(at + k)!).sort((a, b) => a - b);
      slots.forEach((slot, k) => out[slot] = chars[k]);
    }
  }
  return out.join("");
}

function needsSpace(left: LinePiece, right: LinePiece, before: string, next: string): boolean {
  if (/\s$/.test(before) || /^\s/.test(next)) return false;
  // A Latin piece against an Arabic one: pieces of two fonts whose widths overlap still hold two words.
  const latin = (p: LinePiece) => /[A-Za-z]/.test(p.str) && !RTL_CHAR.test(p.str);
  if (latin(left) && RTL_CHAR.test(next[0]) || RTL_CHAR.test(before.at(-1) ?? "") && latin(right)) {
    return true;
  }
  // Kashida stretches a word across pieces: the word goes on.
  if (before.endsWith(TATWEEL) || next.startsWith(TATWEEL)) return false;
  const gap = right.x - (left.x + left.width);
  return gap > SPACE_GAP * Math.max(left.size, right.size);
}
