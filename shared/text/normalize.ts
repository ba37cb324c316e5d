/**
 * Keyword-search terms, applied identically to indexed chunks and to queries, so that forms of a word written
 * differently meet on one term: the full fold (`fold.ts`), Arabic light stemming with one-letter proclitics, Porter2
 * for English (`stem.ts`). Stop words are dropped: they add nothing to a BM25 ranking but cost index space and make
 * OR-queries match everything. What `keywordTerms` gives is stored (`document_chunks.search_text`): a change raises
 * `KEYWORD_ANALYZER_VERSION`, and documents indexed before are re-analysed.
 */
import { ARABIC_CHAR, foldArabic } from "./fold.ts";
import { arabicSearchStems, stemEnglish } from "./stem.ts";

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

/**
 * The keyword analyzer's version: raise it with any change to the terms `keywordTerms()` gives for a text, so that
 * documents indexed by an earlier analyzer are re-analysed (`reanalyzeStaleDocuments`, shared/rag/reanalyze.ts).
 * 1: folding, light stems, stop words. 2: the whole-word reading of an Arabic word after a one-letter proclitic
 * (`arabicSearchStems`).
 */
export const KEYWORD_ANALYZER_VERSION = 2;

/** Splits a text into normalised search terms, in order (stop words removed): one term per word. */
export function searchTerms(text: string): string[] {
  return analyze(text, undefined);
}

/**
 * What keyword search indexes and queries (`document_chunks.search_text`, query terms): `searchTerms()` in order,
 * then the second readings of ambiguous Arabic words (`arabicSearchStems`), after all of them, so that the first
 * readings keep their positions for phrase evidence.
 */
export function keywordTerms(text: string): string[] {
  const more: string[] = [];
  const terms = analyze(text, more);
  return more.length ? [...terms, ...more] : terms;
}

function analyze(text: string, alternatives: string[] | undefined): string[] {
  const folded = foldArabic(text.normalize("NFKC")).toLowerCase();
  const terms: string[] = [];
  for (const match of folded.matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0];
    if (ARABIC_CHAR.test(word)) {
      if (ARABIC_STOP.has(word)) continue;
      const [stem, ...others] = arabicSearchStems(word);
      if (stem.length > 0) terms.push(stem);
      alternatives?.push(...others);
    } else {
      if (ENGLISH_STOP.has(word)) continue;
      // The stemmer takes Latin letters; numbers and other scripts pass through as they are.
      terms.push(stemEnglish(word));
    }
  }
  return terms;
}

/** The normalised, space-separated form stored in `document_chunks.search_text`. */
export function normalizeForSearch(text: string): string {
  return keywordTerms(text).join(" ");
}
