/**
 * Clean-up of extracted text so it is searchable: Unicode presentation forms and ligatures to base letters,
 * invisible controls removed, and Arabic that a PDF extractor returned in visual (reversed) order put back.
 */
import { removeKashida, repairLamAlef } from "./arabic.ts";

// Arabic presentation forms A (U+FB50–FDFF) and B (U+FE70–FEFF) and Latin ligatures (U+FB00–FB4F): NFKC maps
// them to base letters (lam-alef ligatures U+FEF5–FEFC become lam + alef). NFKC is applied to these characters
// only: on the whole text it would also rewrite superscripts, fractions and full-width forms that carry meaning.
const PRESENTATION_FORMS = /[\uFB00-\uFDFF\uFE70-\uFEFE]+/g;
// Bidi marks, embeddings, overrides and isolates; zero-width space, non-joiner, joiner, word joiner, BOM; soft hyphen.
const INVISIBLES = /[\u200B-\u200F\u202A-\u202E\u2060-\u2069\u061C\uFEFF\u00AD]/g;
// C0/C1 controls other than tab and newline (pdf.js emits raw glyph codes for unmapped glyphs, e.g. U+0003).
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const ARABIC_LETTER = /[\u0621-\u064A\u0671-\u06D3]/;
// Greek/Coptic and spacing modifier letters glued to Arabic letters in one token: no real text does this; it is
// pdf.js' fallback of raw glyph ids for glyphs whose ToUnicode entry is empty (seen in WeasyPrint Arabic PDFs).
const GLYPH_ID_DEBRIS = /[\u02B0-\u03FF]/g;
// Raw codes of glyphs a producer mapped only through ActualText (LibreOffice does for some lam ligatures), which
// pdf.js ignores: Latin letters or quotes between two Arabic letters of one word ("الإلBكتروني", "ال'كتب").
// Runs of '"' there are kashida glyphs drawn to justify the line without any mapping (LibreOffice with KACST fonts).
const ASCII_DEBRIS = /(?<=[\u0621-\u064A][\u064B-\u0652]*)(?:[A-Za-z'`^]{1,2}|"+)(?=[\u0621-\u064A])/g;
// A combining mark cannot start a word: a space before one was made up by the extractor ("وَقُل ْ").
const SPACE_BEFORE_MARK = / +(?=[\u064B-\u0652\u0670])/g;
// The same mark twice on one letter: one glyph for a mark pair and one for a single mark, both mapped ("بِِّ").
const DOUBLED_MARK = /([\u064B-\u0652\u0670])\1+/g;
// The same debris standing alone: a token of spacing modifier letters only, next to Arabic text.
const SPACING_MODIFIERS_ONLY = /^[\u02B0-\u02FF]+$/;

/**
 * Normalises extracted text: presentation forms, invisible controls, line endings, runs of spaces; in Arabic,
 * kashida, impossible lam-alef swaps and glyph debris. Diacritics stay (search folds them, display keeps them).
 */
export function normalizeExtractedText(text: string): string {
  let out = text.replace(/\r\n?/g, "\n")
    .replace(PRESENTATION_FORMS, (s) => s.normalize("NFKC"))
    .replace(INVISIBLES, "")
    .replace(CONTROLS, "");
  if (ARABIC_LETTER.test(out)) {
    out = out.replace(/\S+/g, (token) => {
      if (ARABIC_LETTER.test(token)) return token.replace(GLYPH_ID_DEBRIS, "").replace(ASCII_DEBRIS, "");
      return SPACING_MODIFIERS_ONLY.test(token) ? "" : token;
    });
    out = repairLamAlef(removeKashida(out.replace(SPACE_BEFORE_MARK, "").replace(DOUBLED_MARK, "$1")));
  }
  // Dot leaders of tables of contents carry no meaning and cost tokens.
  return out.replace(/(?:\. ?){4,}/g, " … ").replace(/[ \t\u00A0]+/g, " ").replace(/ *\n */g, "\n").trim();
}

// log(P(letter starts a word) / P(letter ends a word)) measured on the Arabic Wikipedia paragraphs of XQuAD-ar
// (words of two or more letters, diacritics removed). Text in logical order has letters with high values at word
// starts (alef with hamza, waw, fa) and low ones at word ends (taa marbuta, alef maqsura, hamza, nun).
const EDGE_LOG_RATIO: Record<string, number> = {
  "ء": -6.1,
  "آ": 4.2,
  "أ": 3.5,
  "ؤ": -1.4,
  "إ": 6.5,
  "ئ": -2.9,
  "ا": 1.2,
  "ب": 1.1,
  "ة": -8.4,
  "ت": -0.3,
  "ث": -0.6,
  "ج": 0.7,
  "ح": 1.0,
  "خ": 1.7,
  "د": -1.1,
  "ذ": 0.9,
  "ر": -1.9,
  "ز": -1.2,
  "س": 0.2,
  "ش": 1.5,
  "ص": 0.3,
  "ض": -1.2,
  "ط": -0.5,
  "ظ": -0.1,
  "ع": 0.7,
  "غ": 1.0,
  "ف": 1.6,
  "ق": 0.1,
  "ك": 0.9,
  "ل": -0.2,
  "م": 0.6,
  "ن": -2.2,
  "ه": -0.2,
  "و": 1.4,
  "ى": -6.9,
  "ي": -1.5,
};
// Evidence needed before reversing. On held-out ARCD sentences this margin wrongly reverses 2.9% of two-word and
// 0.5% of five-word samples and catches 74% / 96% of reversed ones; pages carry far more words than that.
const REVERSAL_MARGIN = 2;
const ARABIC_WORD = /[\u0621-\u064A]{2,}/g;
const DIACRITICS = /[\u064B-\u0652\u0640]/g;
// A run of Arabic script (letters, marks, Arabic digits and punctuation) possibly spanning spaces between words.
const ARABIC_RUN = /[\u0600-\u06FF\u0750-\u077F]+(?:[ ]+[\u0600-\u06FF\u0750-\u077F]+)*/g;

/** How strongly the Arabic words of `text` look like logical order (> 0) or reversed visual order (< 0). */
export function arabicOrderScore(text: string): number {
  let score = 0;
  for (const word of text.replace(DIACRITICS, "").match(ARABIC_WORD) ?? []) {
    score += (EDGE_LOG_RATIO[word[0]] ?? 0) - (EDGE_LOG_RATIO[word[word.length - 1]] ?? 0);
  }
  return score;
}

/**
 * Whether a page's Arabic clearly came out reversed. pdf.js reverses right-to-left runs on the assumption that
 * glyphs were drawn in visual order; PDFs whose ToUnicode maps one glyph to a whole word in logical order
 * (WeasyPrint does this) then come out backwards. Decide per page, so well-formed PDFs, whose text scores as
 * logical, are left alone.
 */
export function arabicLooksReversed(pageText: string): boolean {
  return arabicOrderScore(pageText) <= -REVERSAL_MARGIN;
}

/** Reverses every run of Arabic script (words and the spaces between them) in `text`. */
export function reverseArabicRuns(text: string): string {
  return text.replace(ARABIC_RUN, (run) => [...run].reverse().join(""));
}
