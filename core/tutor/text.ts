/**
 * Small text toolkit of the tutor: normalisation, tokens and sentences for English and Arabic. The retrieval work has
 * its own normaliser; the two should be merged once both land (this one stays small on purpose).
 */

import porter2 from "wink-porter2-stemmer";

const ARABIC_DIACRITICS = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED]/g;
const TATWEEL = /\u0640/g;
const ARABIC_INDIC_DIGITS = /[\u0660-\u0669]/g;
const EXTENDED_ARABIC_DIGITS = /[\u06F0-\u06F9]/g;
const ARABIC_LETTER = /[\u0621-\u064A]/;

/** Canonical form of a text for matching: lower case, Arabic diacritics/tatweel removed, letter variants unified. */
export function normalizeText(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(ARABIC_DIACRITICS, "")
    .replace(TATWEEL, "")
    .replace(ARABIC_INDIC_DIGITS, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(EXTENDED_ARABIC_DIGITS, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[أإآٱ]/g, "ا")
    .replace(/ى/g, "ي")
    .replace(/ة/g, "ه")
    .replace(/ؤ/g, "و")
    .replace(/ئ/g, "ي")
    // Apostrophes inside English words ("Newton's") split into a stem and a dropped suffix.
    .replace(/['’]s\b/g, "");
}

// Question words are stop words here: they say what is asked, not what it is about.
const ENGLISH_STOP_WORDS = new Set(
  ("a an the and or but if then than so of to in on at by for with from into onto about as is are was were be been " +
    "being am do does did done doing have has had having it its this that these those there here which who whom whose " +
    "what when where why how many much can could would should will shall may might must not no nor any some such each " +
    "other more most very too also just only own same both few all he she they them their his her him we us our you " +
    "your i me my mine yours theirs ours itself himself herself themselves one ones up down out over under again " +
    "further once during before after above below between through until while because whether upon within without " +
    "against among per via s t d ll re ve called name named kind type").split(" "),
);

const ARABIC_STOP_WORDS = new Set(
  ("في من على الي الى عن ما ماذا متي اين كيف لماذا كم هل هو هي هم هما انا نحن انت انتم التي الذي الذين اللذين اللتين " +
    "ذلك تلك هذا هذه هؤلاء كان كانت يكون تكون كانوا او ام ثم قد لا لم لن مع بين عند كل اي اذا ان انه انها لقد حتي " +
    "منذ بعد قبل خلال حول ضد دون غير بعض عده ايضا فقط لدي لها له لهم بها به بهم فيها فيه منها منه عليها عليه الا " +
    "اسم يسمي تسمي مايلي وما وهو وهي وقد وكان وكانت ما الذي عدد قام تم يعني تعني").split(" ").map((w) =>
      normalizeText(w)
    ),
);

// Longest first, so "وال" wins over "ال". Lone one-letter prefixes (ب ل ف ك) are left alone: they start too many
// words ("فريق", "كارولينا", "لاعب"); only "و" goes, and only from longer words.
const ARABIC_PREFIXES = ["وبال", "وكال", "وفال", "وال", "بال", "كال", "فال", "لل", "ال"];
const ARABIC_SUFFIXES = ["تين", "تان", "ات", "ون", "ين", "ان", "ها", "هم", "ية", "يه", "ه", "ي", "ا"];

/** Light Arabic stem: strips one common prefix and one common suffix while at least three letters remain. */
export function stemArabic(word: string): string {
  let stem = word;
  const prefix = ARABIC_PREFIXES.find((p) => stem.startsWith(p) && stem.length - p.length >= 3);
  if (prefix) stem = stem.slice(prefix.length);
  else if (stem.startsWith("و") && stem.length >= 5) stem = stem.slice(1);
  for (const suffix of ARABIC_SUFFIXES) {
    if (stem.endsWith(suffix) && stem.length - suffix.length >= 3) {
      stem = stem.slice(0, -suffix.length);
      break;
    }
  }
  return stem;
}

/**
 * English stem by Porter2 (Snowball English), the stemmer keyword search uses: besides plurals and -ed/-ing it meets
 * derived forms of one word ("consolidated"/"consolidation", "arriving"/"arrival"), which a question often uses in
 * place of the material's form. Memoised: the same words come back in every turn.
 */
export function stemEnglish(word: string): string {
  if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
  let stem = englishStems.get(word);
  if (stem === undefined) {
    stem = porter2(word) as string;
    if (englishStems.size >= 50_000) englishStems.clear();
    englishStems.set(word, stem);
  }
  return stem;
}
const englishStems = new Map<string, string>();

/** Every word of a normalised text, stop words included (used for n-grams and abuse checks). */
export function words(text: string): string[] {
  return normalizeText(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Content terms: normalised, stemmed words without stop words; the unit of every overlap measure here. */
export function contentTerms(text: string): string[] {
  const terms: string[] = [];
  for (const word of words(text)) {
    if (ARABIC_LETTER.test(word)) {
      if (ARABIC_STOP_WORDS.has(word) || word.length < 2) continue;
      const stem = stemArabic(word);
      if (ARABIC_STOP_WORDS.has(stem)) continue;
      terms.push(stem);
    } else {
      if (ENGLISH_STOP_WORDS.has(word) || (word.length < 2 && !/\d/.test(word))) continue;
      terms.push(stemEnglish(word));
    }
  }
  return terms;
}

/** Whether a text is mostly Arabic letters. */
export function arabicShare(text: string): { arabic: number; latin: number } {
  let arabic = 0;
  let latin = 0;
  for (const ch of text) {
    if (/[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/.test(ch) && /\p{L}/u.test(ch)) arabic++;
    else if (/[A-Za-z]/.test(ch)) latin++;
  }
  return { arabic, latin };
}

/**
 * Splits a text into sentences, keeping citation markers such as "[2]" with the sentence they follow: "X is Y. [2]"
 * and "X is Y [2]." both stay one sentence.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  const pattern = /[^.!?؟\n]+(?:[.!?؟]+|\n|$)(?:\s*\[\d+\](?:\s*\[\d+\])*[.]?)?/gu;
  for (const match of text.matchAll(pattern)) {
    const sentence = match[0].trim();
    if (sentence.length > 0) sentences.push(sentence);
  }
  return mergeShortFragments(sentences);
}

function mergeShortFragments(sentences: string[]): string[] {
  // Decimal numbers and initials ("3.5", "J. Smith") split badly; glue fragments without a letter run back on.
  const merged: string[] = [];
  for (const sentence of sentences) {
    const previous = merged.at(-1);
    if (previous !== undefined && /\d[.]$/.test(previous) && /^\d/.test(sentence)) {
      merged[merged.length - 1] = previous + sentence;
    } else if (previous !== undefined && continuesSentence(previous, sentence)) {
      merged[merged.length - 1] = `${previous} ${sentence}`;
    } else merged.push(sentence);
  }
  return merged;
}

const ABBREVIATION =
  /(?:^|[\s(])(?:\p{Lu}|mr|mrs|ms|dr|prof|st|jr|sr|vs|no|fig|eq|e\.g|i\.e|etc|approx|ca|u\.s)\.$/iu;

/**
 * Whether a fragment carries on the one before: after an initial or abbreviation ("M. Theo Kearney", "Y. pestis",
 * "Dr. Smith"), or when it starts in lower case (behind any opening quote or bracket), the full stop or line break
 * did not end a sentence.
 */
export function continuesSentence(previous: string, next: string): boolean {
  if (/\[\d+\]\.?$/.test(previous)) return false;
  // A list number ("1.") starts its item rather than ending anything.
  if (/^\(?(\d{1,2}|[a-z])[.)]$/i.test(previous)) return true;
  // A lower-case start, also behind an opening quote or bracket ("…by simply" / "“eyeballing” the graph"), carries on.
  return ABBREVIATION.test(previous) || /^[(“"'‘«\[]*\p{Ll}/u.test(next);
}

/** The citation numbers ("[1]", "[3]") a sentence carries. */
export function citationMarkers(sentence: string): number[] {
  return [...sentence.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
}

/** A sentence without its citation markers. */
export function withoutMarkers(sentence: string): string {
  return sentence.replace(/\s*\[\d+\]/g, "").trim();
}

/** Word bigrams of the content terms, for a phrase-level overlap signal. */
export function bigrams(terms: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < terms.length; i++) out.push(`${terms[i]} ${terms[i + 1]}`);
  return out;
}
