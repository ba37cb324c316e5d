/**
 * Keyword-search terms, applied identically to indexed chunks and to queries, so that forms of a word written
 * differently meet on one term: the full fold (`fold.ts`), Arabic light stemming with one-letter proclitics, Porter2
 * for English (`stem.ts`). Stop words are dropped: they add nothing to a BM25 ranking but cost index space and make
 * OR-queries match everything. What `keywordTerms` gives is stored (`document_chunks.search_text`): a change raises
 * `KEYWORD_ANALYZER_VERSION`, and documents indexed before are re-analysed.
 */
import { ARABIC_CHAR, foldArabic } from "./fold.ts";
import { arabicSearchStems, stemArabicSnowball, stemEnglish } from "./stem.ts";

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
 * (`arabicSearchStems`). 3: the third readings of an Arabic word, its Snowball stem (`stemArabicSnowball`) and the
 * word as written (folded), where they differ from the light ones.
 */
export const KEYWORD_ANALYZER_VERSION = 3;

/**
 * How much a query's third readings of an Arabic word (its Snowball stem, the word as written) count in BM25, against
 * 1 for its light readings: chosen on the development sets' A halves (docs/retrieval.md, fifth round). At full
 * weight they join too many unrelated words (Snowball) or split the light stems' matches (the written word); at 0.3
 * they mostly decide between chunks the light stems found alike.
 */
export const THIRD_READING_WEIGHT = 0.3;

/** Splits a text into normalised search terms, in order (stop words removed): one term per word. */
export function searchTerms(text: string): string[] {
  return analyze(text);
}

/**
 * What keyword search indexes (`document_chunks.search_text`): `searchTerms()` in order, then the second readings of
 * ambiguous Arabic words (`arabicSearchStems`), then the third readings of Arabic words where they differ from the
 * light ones: the Snowball stem (`stemArabicSnowball`: verb prefixes and longer suffixes off, "يستخدم" → استخدم) and
 * the word as written, folded ("المدرسة" → المدرسه, so a question using the very form of the text ranks it above
 * one with another form of the stem). All after the first readings, so those keep their positions for phrase and
 * window evidence.
 */
export function keywordTerms(text: string): string[] {
  return indexedTerms(text).terms;
}

/**
 * `keywordTerms()` and the length BM25 normalises a chunk by (`document_chunks.term_count`): its first and second
 * readings, not the third. So the third readings lengthen no chunk, and in a course that holds Arabic and English
 * material the English chunks' scores stay as they were (the mean length is the same).
 */
export function indexedTerms(text: string): { terms: string[]; length: number } {
  const more: string[] = [];
  const third: string[] = [];
  const terms = analyze(text, more, third);
  const length = terms.length + more.length;
  return { terms: more.length || third.length ? [...terms, ...more, ...third] : terms, length };
}

/** A keyword query: what BM25 scores, with weights, and what the head rerank compares with the chunks' terms. */
export interface KeywordQuery {
  /** Every distinct query term with its weight in BM25: 1, or `THIRD_READING_WEIGHT` for a third reading. */
  weighted: Map<string, number>;
  /** The first and second readings in order (`keywordTerms()` without the third readings): phrase evidence. */
  terms: string[];
}

/**
 * A query's keyword terms (`keywordTerms()`): the third readings count `THIRD_READING_WEIGHT` in BM25 unless the same
 * term is also a light reading of some word of the query, and the head rerank reads the light ones only.
 */
export function keywordQuery(text: string): KeywordQuery {
  const more: string[] = [];
  const third: string[] = [];
  const terms = [...analyze(text, more, third), ...more];
  const weighted = new Map(terms.map((t) => [t, 1]));
  for (const t of third) if (!weighted.has(t)) weighted.set(t, THIRD_READING_WEIGHT);
  return { weighted, terms };
}

function analyze(text: string, alternatives?: string[], third?: string[]): string[] {
  const folded = foldArabic(text.normalize("NFKC")).toLowerCase();
  const terms: string[] = [];
  const written: string[] = [];
  for (const match of folded.matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0];
    if (ARABIC_CHAR.test(word)) {
      if (ARABIC_STOP.has(word)) continue;
      const readings = arabicSearchStems(word);
      const [stem, ...others] = readings;
      if (stem.length > 0) terms.push(stem);
      alternatives?.push(...others);
      if (third) {
        const heavy = stemArabicSnowball(word);
        if (heavy.length >= 2 && !readings.includes(heavy)) third.push(heavy);
        if (!readings.includes(word) && word !== heavy) written.push(word);
      }
    } else {
      if (ENGLISH_STOP.has(word)) continue;
      // The stemmer takes Latin letters; numbers and other scripts pass through as they are.
      terms.push(stemEnglish(word));
    }
  }
  third?.push(...written);
  return terms;
}

/** The normalised, space-separated form stored in `document_chunks.search_text`. */
export function normalizeForSearch(text: string): string {
  return keywordTerms(text).join(" ");
}
