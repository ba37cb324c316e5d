/**
 * Stemming of folded words. English: Porter2 (Snowball English), memoised. Arabic: two light stemmers tuned by
 * their own evaluations (docs/retrieval.md, docs/tutor.md): keyword search strips one-letter proclitics too, which
 * raises recall over a whole course; the tutor's support measure leaves them (they start too many words of a single
 * passage) and keeps the bare form as an extra term where it needs it.
 */
import porter2 from "wink-porter2-stemmer";

const englishStems = new Map<string, string>();

/** Porter2 stem of a lower-case Latin word (any other word comes back as it is). Memoised. */
export function stemEnglish(word: string): string {
  if (!/^[a-z]+$/.test(word)) return word;
  let stem = englishStems.get(word);
  if (stem === undefined) {
    stem = porter2(word) as string;
    if (englishStems.size >= 50_000) englishStems.clear();
    englishStems.set(word, stem);
  }
  return stem;
}

// Longest first: the first prefix that leaves a long-enough stem wins.
const SEARCH_PREFIXES: [string, number][] = [
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
const SEARCH_SUFFIXES = [
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

/**
 * Keyword search's stem of one folded Arabic word (in the spirit of Larkey's light10): one prefix, one-letter
 * proclitics included, then one suffix, keeping a stem of a few letters. The first of `arabicSearchStems`.
 */
export function stemArabicForSearch(word: string): string {
  return arabicSearchStems(word)[0];
}

/**
 * Keyword search's readings of one folded Arabic word: the stem of `stemArabicForSearch` first, then, when that
 * stem took off a one-letter proclitic (و ف ب ك ل) and kept only three letters, the stem of the whole word as well.
 * Without a lexicon such a word is ambiguous: "وصوله" is وصول + ه ("his arrival"), not و + صول, and "كتابها" is
 * كتاب + ها, "وزير" a word of its own, while "لكأس" is ل + كأس and "وقال" و + قال. Both readings are indexed and
 * queried, so "وصوله" meets "الوصول" (stem وصول) and "لكأس" still meets "كأس". A stem of four letters or more after
 * the proclitic is taken as it is ("وكتابها" → كتاب), as is a prefix with the article (وال بال كال فال لل ال).
 * Measured against keeping only the whole word (docs/retrieval.md): that loses "لكأس" ↔ "كأس" and costs recall.
 */
export function arabicSearchStems(word: string): string[] {
  for (const [prefix, keep] of SEARCH_PREFIXES) {
    if (word.startsWith(prefix) && word.length - prefix.length >= keep) {
      const stem = stripSuffix(word.slice(prefix.length), SEARCH_SUFFIXES);
      if (prefix.length > 1 || stem.length > 3) return [stem];
      const whole = stripSuffix(word, SEARCH_SUFFIXES);
      return whole === stem ? [stem] : [stem, whole];
    }
  }
  return [stripSuffix(word, SEARCH_SUFFIXES)];
}

// Longest first, so "وال" wins over "ال". Lone one-letter prefixes (ب ل ف ك) are left alone: they start too many
// words ("فريق", "كارولينا", "لاعب"); only "و" goes, and only from longer words.
const SUPPORT_PREFIXES = ["وبال", "وكال", "وفال", "وال", "بال", "كال", "فال", "لل", "ال"];
const SUPPORT_SUFFIXES = ["تين", "تان", "ات", "ون", "ين", "ان", "ها", "هم", "ية", "يه", "ه", "ي", "ا"];

/** The tutor's light Arabic stem: one article-like prefix and one suffix, while at least three letters remain. */
export function stemArabicForSupport(word: string): string {
  let stem = word;
  const prefix = SUPPORT_PREFIXES.find((p) => stem.startsWith(p) && stem.length - p.length >= 3);
  if (prefix) stem = stem.slice(prefix.length);
  else if (stem.startsWith("و") && stem.length >= 5) stem = stem.slice(1);
  const bare = stripSuffix(stem, SUPPORT_SUFFIXES);
  // A possessive pronoun after a feminine or plural noun: the ة is written ت before it ("عاصمتها" → عاصم, like
  // "عاصمة"; "مقالاته" → مقال, like "مقالات").
  if (bare !== stem && PRONOUNS.some((p) => stem.endsWith(p))) return stripSuffix(bare, BEFORE_PRONOUN);
  return bare;
}

const PRONOUNS = ["ها", "هم", "ه"];
const BEFORE_PRONOUN = ["ات", "ت"];

/** Strips the first suffix of the list that leaves at least three letters. */
function stripSuffix(word: string, suffixes: string[]): string {
  for (const suffix of suffixes) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) return word.slice(0, -suffix.length);
  }
  return word;
}
