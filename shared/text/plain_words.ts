/**
 * Words as written, lightly folded (`foldWord`: case, Arabic marks and letter variants), unstemmed and with the
 * punctuation inside a word kept ("e.g", "3.5"): for exams, whose keys, quotes and cloze blanks are compared with
 * the material word for word and whose distractors are such words shown to students.
 */
import { foldWord } from "./fold.ts";

/** Words of a text, folded, without the punctuation around them. */
export function plainWords(text: string): string[] {
  return text.split(/[\s\u200c\u200f\u200e]+/).map(foldWord).filter((w) => w.length > 0);
}

/** A text folded word for word and joined by single spaces: "is this in the material" compares these. */
export function foldPhrase(text: string): string {
  return plainWords(text).join(" ");
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
  return plainWords(text).filter((w) => w.length > 1 && !isStopWord(w));
}
