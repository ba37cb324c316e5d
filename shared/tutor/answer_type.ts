/**
 * What kind of answer a question asks for, from its question words ("how many" wants a number, "who" a name), and
 * whether a sentence offers one that the question does not already hold. The offline tutor uses it to prefer the
 * sentence that answers over the one that merely repeats the question's words.
 */
import { normalizeText } from "../text/fold.ts";

/** A sentence opening with these leans on the one before it ("He is also the oldest quarterback…"). */
export const LEANS_BACK =
  /^(he|she|it|they|this|these|those|his|her|its|their|such|there|both|however|but|also|then|وهو|وهي|وهم|وكان|وكانت|كما|لكن|ذلك|هذا|هذه)(?![\p{L}\p{N}])/iu;

/**
 * Whether a sentence continues the one before it: it opens by leaning back ("They also won…", "It is…"), or refers
 * back within its first words ("Most of these schools…", "Today, this is known as…"), or to a group just named
 * ("the most powerful of these drugs", Arabic "من هذه"/"منها").
 */
export function continuesPrevious(sentence: string): boolean {
  const s = sentence.trim();
  if (LEANS_BACK.test(s)) return true;
  if (/^(?:[\p{L}\p{N}'’-]+,?\s+)?this(?![\p{L}\p{N}])/iu.test(s)) return true;
  if (/^(?:[\p{L}\p{N}'’-]+,?\s+){0,3}(these|those|such)(?![\p{L}\p{N}])/iu.test(s)) return true;
  if (/\b(of|among|from) (these|them|those)\b/i.test(s)) return true;
  // An Arabic verb opening the sentence with an attached pronoun refers back ("تحدها سوريا…": Syria borders it).
  const first = s.replace(/[\u064B-\u0652\u0640]/g, "").match(/^[\u0621-\u064A]+/)?.[0] ?? "";
  if (/^[يتنو][\u0621-\u064A]{2,}(ها|هم|هما)$/.test(first)) return true;
  const a = normalizeText(s);
  return /^(?:[\u0621-\u064A]+\s+){0,2}(هذا|هذه|ذلك|تلك|هولاء|وهذا|وهذه|وذلك|وتلك)(\s|$)/.test(a) ||
    /(^|\s)(من هذه|من هذا|منها|منهم|بينها|بينهم)(\s|$)/.test(a);
}

/** The answer kinds the cues can tell apart. */
export type AnswerType = "number" | "date" | "person" | "place" | "definition" | "reason" | "other";

const MONTHS = "january february march april may june july august september october november december";
const MONTH = new RegExp(`\\b(${MONTHS.split(" ").join("|")})\\b`, "i");
const NUMBER_WORD =
  /\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|half|dozen)\b/i;
const ARABIC_NUMBER_WORD = /(واحد|اثنان|اثنين|ثلاث|اربع|خمس|ست|سبع|ثمان|تسع|عشر|مائه|ميه|الف|مليون|مليار|نصف)/;

/** The answer kind a question asks for (English and Arabic question words). */
export function answerTypeOf(question: string): AnswerType {
  // Without invisible format marks: Arabic questions often open with a right-to-left mark ("\u200fكم…").
  const q = normalizeText(question).replace(/\p{Cf}/gu, "");
  if (
    /\b(how (many|much|long|old|far|large|big|tall|high|often)|what (percentage|percent|number|amount))\b/
      .test(q)
  ) {
    return "number";
  }
  if (/(^|\s)(كم|بكم|ما عدد|ما نسبه)(\s|$)/.test(q)) return "number";
  if (/\b(when|what (year|decade|century|date|month|day)|which (year|decade|century))\b/.test(q)) {
    return "date";
  }
  if (/(^|\s)(متي|في اي عام|في اي سنه|في اي قرن)(\s|$)/.test(q)) return "date";
  if (/\b(who|whom|whose)\b/.test(q)) return "person";
  if (/(^|\s)من (هو|هي|هم|كان|كانت)(\s|$)/.test(q)) return "person";
  // "من" opening a question before a verb asks "who" ("من سجل…"); "من أين"/"من أي" ask "from where/which".
  if (/^\s*من (?!اين|اي|اجل|خلال|قبل|بين|حيث|الذي|التي)[\u0621-\u064A]+/.test(q)) return "person";
  if (/\b(where|what (country|city|state|region|place|continent))\b/.test(q) || /(^|\s)اين(\s|$)/.test(q)) {
    return "place";
  }
  if (/\bwhy\b/.test(q) || /(^|\s)(لماذا|لم|ما سبب|ما السبب)(\s|$)/.test(q)) return "reason";
  // "What is X?", "Define X", "What does X mean?": a sentence saying what X is answers, a heading naming X does not.
  if (
    /^\s*(what (is|are|was|were) (an? |the )?[\p{L}\p{N}-]+( [\p{L}\p{N}-]+){0,2}\s*\??\s*$|define\b|what does .+ mean\b|what is meant by\b|meaning of\b)/u
      .test(q) ||
    /^\s*(ما (هو|هي|هما)|ماهو|ماهي|عرف|ما معني|ما المقصود)(\s|$)/.test(q)
  ) {
    return "definition";
  }
  return "other";
}

/**
 * Whether a sentence holds an answer of the kind wanted that the question itself does not name: a number not in
 * the question for "how many", a year or month for "when", a capitalised name the question lacks for "who"/"where".
 */
export function offersAnswerType(sentence: string, type: AnswerType, question: string): boolean {
  if (type === "other") return false;
  if (type === "definition") return definesTerm(sentence, question);
  if (type === "reason") return REASON.test(sentence) || ARABIC_REASON.test(normalizeText(sentence));
  const asked = new Set(normalizeText(question).match(/[\p{L}\p{N}]+/gu) ?? []);
  const fresh = (token: string) => !asked.has(normalizeText(token));
  const numbers = (sentence.match(/\d[\d,.]*/g) ?? []).filter(fresh);
  if (type === "number") {
    return numbers.length > 0 || NUMBER_WORD.test(sentence) ||
      ARABIC_NUMBER_WORD.test(normalizeText(sentence));
  }
  if (type === "date") {
    return numbers.some((n) => /^\d{3,4}$/.test(n.replace(/[,.]$/, ""))) || MONTH.test(sentence) ||
      /(عام|سنه|القرن)/.test(normalizeText(sentence)) && numbers.length > 0;
  }
  // Names: capitalised words that do not start the sentence and that the question does not hold.
  const names = [...sentence.matchAll(/(?<=[\s(“"])\p{Lu}[\p{L}'’-]+/gu)].map((m) => m[0]).filter(fresh);
  return names.length > 0;
}

const REASON =
  /\b(because|due to|since|so that|in order to|as a result|owing to|caused by|led to|thanks to)\b/i;
const ARABIC_REASON = /(^|\s)(لان|لانه|لانها|بسبب|نتيجه|لكي|كي|من اجل|بفضل|ادي|ادت|مما)(\s|$)/;

const DEFINING =
  /^(is|are|was|were|means|meant|refers|describes|denotes|consists|involves|is called|يعني|تعني|هو|هي|هم|عباره|يقصد|تسمي|يسمي)$/;

/**
 * Whether a sentence says what the question's subject is: one of the question's words followed within a few words
 * by "is", "means", "refers to" (or Arabic هو/يعني/عبارة عن), as in "Substitution is a method…". A heading naming the
 * subject ("Concepts -- Substitution") does not.
 */
function definesTerm(sentence: string, question: string): boolean {
  if (looksLikeHeading(sentence)) return false;
  const subject = new Set(
    (normalizeText(question).match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 3 && !DEFINING.test(w)),
  );
  const tokens = normalizeText(sentence).match(/[\p{L}\p{N}]+/gu) ?? [];
  return tokens.some((t, i) =>
    [...subject].some((s) => t.startsWith(s.slice(0, Math.max(4, s.length - 2)))) &&
    tokens.slice(i + 1, i + 4).some((next) => DEFINING.test(next))
  );
}

/**
 * Whether a "sentence" is a heading or a running title rather than prose: no closing punctuation (or a stray one
 * after a space, as PDF extraction leaves it), a few words, mostly capitalised or joined by "--"/"|".
 */
export function looksLikeHeading(sentence: string): boolean {
  const text = sentence.trim();
  const tokens = text.split(/\s+/);
  if (tokens.length > 12) return false;
  if (/(--|\||—\s*$)/.test(text)) return true;
  const ends = /[.!?؟:;"”)\]]$/.test(text) && !/\s[.]$/.test(text);
  if (ends) return false;
  const words = tokens.filter((t) => /^\p{L}/u.test(t));
  const capitalised = words.filter((t) => /^\p{Lu}/u.test(t)).length;
  return words.length <= 8 || capitalised >= words.length / 2;
}

/**
 * Whether a chunk's last sentence stops before its end (a chunk cut at a page or size limit): quoting it would
 * stop the quote mid-sentence ("…any pair that").
 */
export function isCutSentence(sentence: string, isLastOfChunk: boolean): boolean {
  return isLastOfChunk && !/[.!?؟:;"”»)\]]$/.test(sentence.trim()) && !looksLikeHeading(sentence);
}
