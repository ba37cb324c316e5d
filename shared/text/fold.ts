/**
 * Folding of English and Arabic text, the base of every text comparison in the project (keyword search, the tutor's
 * overlap measures, the groundedness gate, exam checks): forms of a word written differently meet on one form.
 */

/** Tashkeel and the other Arabic vowel marks, superscript alef, Quranic annotation marks, tatweel. */
const ARABIC_MARKS = /[\u064B-\u065F\u0670\u06D6-\u06ED\u0640]/g;
/** Quranic honorifics and signs written above a word (U+0610–U+061A): folded away by the full fold only. */
const ARABIC_SIGNS = /[\u0610-\u061A]/g;
const ALEF_FORMS = /[أإآٱ]/g;
const ARABIC_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;
/** A character of the Arabic block (letters, marks, digits and punctuation alike). */
export const ARABIC_CHAR = /[\u0600-\u06FF]/;

/**
 * The light fold: Arabic marks and tatweel removed, alef forms, alef maqsura and taa marbuta unified. Hamza seats and
 * digits stay as written, so a folded word can still be shown (exam distractors are folded words).
 */
export function foldLetters(text: string): string {
  return text.replace(ARABIC_MARKS, "").replace(ALEF_FORMS, "ا").replace(/ى/g, "ي").replace(/ة/g, "ه");
}

/**
 * The full fold of Arabic script for matching: the light fold, plus Quranic signs removed, hamza on waw and yaa
 * unified with the bare letter and Arabic-Indic digits made ASCII. Other scripts are kept unchanged.
 */
export function foldArabic(text: string): string {
  return foldLetters(text)
    .replace(ARABIC_SIGNS, "")
    .replace(/ؤ/g, "و")
    .replace(/ئ/g, "ي")
    .replace(ARABIC_DIGITS, (d) => String((d.charCodeAt(0) & 0xf) % 10));
}

/**
 * Canonical form of a text for matching: NFKC, lower case, the full Arabic fold, and the English possessive "'s"
 * dropped ("Newton's" meets "Newton").
 */
export function normalizeText(text: string): string {
  return foldArabic(text.normalize("NFKC").toLowerCase()).replace(/['’]s\b/g, "");
}

/** Folds one word as written: lower case, the light fold, leading and trailing punctuation removed. */
export function foldWord(word: string): string {
  return foldLetters(word.toLowerCase()).replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
}

const ARABIC_SCRIPT_LETTER = /[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/;

/** How many letters of a text are Arabic, how many Latin (A–Z), and how many of other scripts. */
export function arabicShare(text: string): { arabic: number; latin: number; other: number } {
  let arabic = 0;
  let latin = 0;
  let other = 0;
  for (const ch of text) {
    if (/[A-Za-z]/.test(ch)) latin++;
    else if (!/\p{L}/u.test(ch)) continue;
    else if (ARABIC_SCRIPT_LETTER.test(ch)) arabic++;
    else other++;
  }
  return { arabic, latin, other };
}

/** Whether a text is mostly written in Arabic script: more Arabic letters than letters of every other script. */
export function isMostlyArabic(text: string): boolean {
  const { arabic, latin, other } = arabicShare(text);
  return arabic > latin + other;
}
