/**
 * Words and content terms for overlap measures: the tutor's support and intent checks, the groundedness gate, the
 * answer cache key and the evaluations. Built on the full fold (`normalizeText`) and the stemmers of `stem.ts`.
 */
import { normalizeText } from "./fold.ts";
import { stemArabicForSupport, stemEnglish } from "./stem.ts";

const ARABIC_LETTER = /[\u0621-\u064A]/;

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
    "اسم يسمي تسمي مايلي وما وهو وهي وقد وكان وكانت ما الذي عدد قام تم يعني تعني ال اللذان اللتان").split(" ")
    .map((w) => normalizeText(w)),
);

/** Every word of a normalised text, stop words included (used for n-grams and abuse checks). */
export function words(text: string): string[] {
  return normalizeText(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Content terms: normalised, stemmed words without stop words; the unit of every overlap measure. */
export function contentTerms(text: string): string[] {
  const terms: string[] = [];
  for (const word of words(text)) {
    const term = contentTerm(word);
    if (term !== undefined) terms.push(term);
  }
  return terms;
}

/** The content term of one word of `words()`: its stem, or undefined for a stop word or a lone letter. */
export function contentTerm(word: string): string | undefined {
  if (ARABIC_LETTER.test(word)) {
    if (ARABIC_STOP_WORDS.has(word) || word.length < 2) return undefined;
    if (word.startsWith("و") && ARABIC_STOP_WORDS.has(word.slice(1))) return undefined;
    const stem = stemArabicForSupport(word);
    return ARABIC_STOP_WORDS.has(stem) ? undefined : stem;
  }
  if (ENGLISH_STOP_WORDS.has(word) || (word.length < 2 && !/\d/.test(word))) return undefined;
  // Words of three letters or fewer are kept whole ("its", "was" would lose their "s").
  return word.length <= 3 ? word : stemEnglish(word);
}

/** Word bigrams of the content terms, for a phrase-level overlap signal. */
export function bigrams(terms: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < terms.length; i++) out.push(`${terms[i]} ${terms[i + 1]}`);
  return out;
}
