/** Sentence and word helpers for English and Arabic course text, used by exam generation and grading. */

const ARABIC = /[\u0600-\u06FF]/;
const DIACRITICS = /[\u064B-\u065F\u0670\u06D6-\u06ED]/g;

/** Whether a text is mostly Arabic script. */
export function isArabic(text: string): boolean {
  let ar = 0;
  let latin = 0;
  for (const ch of text) {
    if (ARABIC.test(ch)) ar++;
    else if (/[A-Za-z]/.test(ch)) latin++;
  }
  return ar > latin;
}

const ABBREVIATIONS = new Set([
  "e.g",
  "i.e",
  "etc",
  "dr",
  "mr",
  "mrs",
  "ms",
  "prof",
  "fig",
  "no",
  "vs",
  "eq",
  "cf",
  "al",
]);

/** Splits text into sentences on `.`, `!`, `?`, `؟`, keeping abbreviations ("e.g.") and initials whole. */
export function splitSentences(text: string): string[] {
  const cleaned = text.replace(/\s+/g, " ").trim();
  if (!cleaned) return [];
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < cleaned.length; i++) {
    const ch = cleaned[i];
    if (!".!?؟".includes(ch) || cleaned[i + 1] !== " ") continue;
    if (ch === ".") {
      const before = cleaned.slice(start, i).split(" ").pop() ?? "";
      if (ABBREVIATIONS.has(before.toLowerCase()) || /^[A-Z]$/.test(before) || /^\d{1,2}$/.test(before)) {
        continue;
      }
    }
    out.push(cleaned.slice(start, i + 1).trim());
    start = i + 2;
  }
  if (start < cleaned.length) out.push(cleaned.slice(start).trim());
  return out.filter((s) => s.length > 0);
}

/** Folds a word for comparison: lower case, Arabic diacritics/tatweel removed and letter variants unified. */
export function foldWord(word: string): string {
  return word
    .toLowerCase()
    .replace(DIACRITICS, "")
    .replace(/\u0640/g, "")
    .replace(/[أإآٱ]/g, "ا")
    .replace(/ى/g, "ي")
    .replace(/ة/g, "ه")
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
}

/** Words of a text, folded, without punctuation. */
export function words(text: string): string[] {
  return text.split(/[\s\u200c\u200f\u200e]+/).map(foldWord).filter((w) => w.length > 0);
}

const EN_STOP = new Set(
  ("a an the and or but if then else of to in on at by for with from as is are was were be been being it its this " +
    "that these those there here which who whom whose what when where why how not no nor so than too very can could " +
    "will would shall should may might must do does did done have has had having i you he she we they them his her " +
    "our their your my me us him also into over under about above below between through during before after such " +
    "each every any all some most more other only own same just both either neither one two first second new used " +
    "use using called known many much")
    .split(" "),
);
const AR_STOP = new Set(
  ("في من الى على عن مع هذا هذه ذلك تلك التي الذي الذين ان او ثم كما لكن قد لا لم لن ما هو هي هم كان كانت يكون " +
    "وقد وهو وهي وكان وفي ومن بين حتى اذا كل بعض غير عند بعد قبل خلال ايضا")
    .split(" ").map(foldWord),
);

/** Whether a folded word is a function word in English or Arabic. */
export function isStopWord(word: string): boolean {
  return EN_STOP.has(word) || AR_STOP.has(word);
}

/** Content words of a text: folded, no stop words, no single letters. */
export function contentWords(text: string): string[] {
  return words(text).filter((w) => w.length > 1 && !isStopWord(w));
}
