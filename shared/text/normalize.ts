/**
 * Text normalisation for keyword search, applied identically to indexed chunks and to queries, so that forms of a
 * word written differently meet on one term. Arabic: diacritics and tatweel go, letter variants fold, light prefix
 * and suffix stripping (in the spirit of Larkey's light10). English (and other Latin-script text): lower case,
 * Porter2 (Snowball English) stemming. Stop words are dropped: they add nothing to a BM25 ranking but cost index
 * space and make OR-queries match everything.
 */
import stem from "wink-porter2-stemmer";

// Tashkeel (U+064B–U+0652), superscript alef (U+0670), Quranic marks, and tatweel (U+0640).
const ARABIC_MARKS = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]/g;
const ALEF_FORMS = /[أإآٱ]/g;
const ARABIC_LETTER = /[\u0600-\u06FF]/;
const ARABIC_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;

// Longest first: the first prefix that leaves a long-enough stem wins.
const ARABIC_PREFIXES: [string, number][] = [
  ["وال", 2],
  ["بال", 2],
  ["كال", 2],
  ["فال", 2],
  ["لل", 2],
  ["ال", 2],
  ["و", 3],
  ["ف", 3],
  ["ب", 3],
  ["ك", 3],
  ["ل", 3],
];
const ARABIC_SUFFIXES = [
  "هما",
  "كما",
  "تين",
  "تان",
  "ها",
  "ان",
  "ات",
  "ون",
  "ين",
  "يه",
  "هم",
  "كم",
  "نا",
  "ه",
  "ي",
];

/** Arabic stop words, written in normalised form (after folding, before prefix stripping). */
const ARABIC_STOP = new Set(
  [
    "في",
    "من",
    "الي",
    "عن",
    "مع",
    "هو",
    "هي",
    "هم",
    "ان",
    "او",
    "ما",
    "ماذا",
    "متي",
    "اين",
    "كيف",
    "لماذا",
    "هل",
    "كم",
    "اي",
    "التي",
    "الذي",
    "الذين",
    "هذا",
    "هذه",
    "ذلك",
    "تلك",
    "كان",
    "كانت",
    "لم",
    "لا",
    "قد",
    "ثم",
    "حتي",
    "بين",
    "عند",
    "منذ",
    "بعد",
    "قبل",
    "كل",
    "وقد",
    "وهو",
    "وهي",
    "وفي",
    "ومن",
    "به",
    "بها",
    "له",
    "لها",
    "فيه",
    "فيها",
    "منه",
    "منها",
    "عليه",
    "عليها",
    "الا",
    "اذا",
    "لقد",
    "يكون",
    "تكون",
    "ايضا",
  ].map((w) => w.replace(/ة/g, "ه")),
);

/** English stop words (lower case, before stemming). */
const ENGLISH_STOP = new Set(
  ("a an and are as at be been being but by can could did do does doing for from had has have having he her " +
    "here hers him his how i if in into is it its itself me my no nor not of on or our ours she should so " +
    "some such than that the their theirs them then there these they this those through to too under until up " +
    "very was we were what when where which while who whom why will with would you your yours also about " +
    "after again against all am any because before below between both during each few further more most " +
    "other out over own same just only s t don now")
    .split(" "),
);

/** Folds the letter variants and marks of Arabic script (keeps other scripts unchanged). */
export function foldArabic(text: string): string {
  return text
    .replace(ARABIC_MARKS, "")
    .replace(ALEF_FORMS, "ا")
    .replace(/ى/g, "ي")
    .replace(/ة/g, "ه")
    .replace(/ؤ/g, "و")
    .replace(/ئ/g, "ي")
    .replace(ARABIC_DIGITS, (d) => String((d.charCodeAt(0) & 0xf) % 10));
}

/** Light stemming of one folded Arabic word: one prefix, then one suffix, keeping a stem of a few letters. */
export function stemArabic(word: string): string {
  let w = word;
  for (const [prefix, keep] of ARABIC_PREFIXES) {
    if (w.startsWith(prefix) && w.length - prefix.length >= keep) {
      w = w.slice(prefix.length);
      break;
    }
  }
  for (const suffix of ARABIC_SUFFIXES) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  return w;
}

/** Whether a text is mostly written in Arabic script (counts letters, not spaces or digits). */
export function isMostlyArabic(text: string): boolean {
  let arabic = 0;
  let other = 0;
  for (const ch of text) {
    if (ARABIC_LETTER.test(ch)) arabic++;
    else if (/\p{L}/u.test(ch)) other++;
  }
  return arabic > other;
}

/** Splits a text into normalised search terms, in order (stop words removed). */
export function searchTerms(text: string): string[] {
  const folded = foldArabic(text.normalize("NFKC")).toLowerCase();
  const terms: string[] = [];
  for (const match of folded.matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0];
    if (ARABIC_LETTER.test(word)) {
      if (ARABIC_STOP.has(word)) continue;
      const stemmed = stemArabic(word);
      if (stemmed.length > 0) terms.push(stemmed);
    } else {
      if (ENGLISH_STOP.has(word)) continue;
      // The stemmer expects Latin letters; numbers and other scripts pass through as they are.
      terms.push(/^[a-z]+$/.test(word) ? stem(word) : word);
    }
  }
  return terms;
}

/** The normalised, space-separated form stored in `document_chunks.search_text`. */
export function normalizeForSearch(text: string): string {
  return searchTerms(text).join(" ");
}
