/**
 * Repairs of Arabic text as PDF extraction leaves it: justification kashida (tatweel), lam-alef ligatures whose
 * two letters came out swapped, and spaces that glyph positioning made up inside words. Applied to the stored
 * text, so display, citations and the search index all see the repaired words.
 */

const LETTER = "\\u0621-\\u063A\\u0641-\\u064A\\u0671-\\u06D3";
const MARK = "\\u064B-\\u065F\\u0670";
const IS_LETTER = new RegExp(`[${LETTER}]`);
const TATWEEL_RUN = new RegExp(`\\u0640+(?: +(?=[${LETTER}]))?`, "g");
const ENDS_WITH_LETTER = new RegExp(`[${LETTER}][${MARK}]*$`);
const ENDS_WITH_TWO_LETTERS = new RegExp(`[${LETTER}][${MARK}]*[${LETTER}][${MARK}]*$`);

/**
 * Removes kashida (U+0640) drawn to justify a line: inside a word, at the end of a word of two or more letters,
 * and with a space made up after it before the rest of the word. A tatweel after a lone letter is an
 * abbreviation mark ("1443 هـ") and stays.
 */
export function removeKashida(text: string): string {
  return text.replace(TATWEEL_RUN, (run, offset: number, all: string) => {
    const before = all.slice(Math.max(0, offset - 8), offset);
    if (!ENDS_WITH_LETTER.test(before)) return run;
    const next = all[offset + run.length] ?? "";
    if (IS_LETTER.test(next) || ENDS_WITH_TWO_LETTERS.test(before)) return "";
    return run;
  });
}

// An alef (plain or with hamza or madda) and the lam before it are one lam-alef glyph in every Arabic font. A PDF
// whose glyph-to-Unicode map gives that glyph as "لأ" comes out of right-to-left reordering as "أل".
const ALEF_THEN_HAMZA_ALEF_LAM = /ا([أإآ])ل/g; // "األولى": no Arabic word has alef before a hamza-alef
const ALEFS = "اأإآ";
const WORD = new RegExp(`[${LETTER}${MARK}]+`, "g");
const PREFIX = /^[وفبك]?/;

/**
 * How many words show a lam-alef swapped in a way correct Arabic never has, and how many lam-alef pairs are
 * intact: a page with swaps and (almost) no intact pairs has every ligature swapped.
 */
export function lamAlefEvidence(text: string): { swapped: number; intact: number } {
  let swapped = 0;
  let intact = 0;
  for (const [word] of text.matchAll(WORD)) {
    const rest = word.replace(PREFIX, "");
    if (/ا[أإآ]ل/.test(word) || /^اال/.test(rest) || /^[أإ]?ال$/.test(word)) swapped++;
    intact += word.match(/ل[اأإآ]/g)?.length ?? 0;
  }
  return { swapped, intact };
}

/** Whether a page's lam-alef ligatures all came out swapped ("األولى", "الالئحة", "ال" for "لا"). */
export function lamAlefLooksSwapped(text: string): boolean {
  const { swapped, intact } = lamAlefEvidence(text);
  return swapped >= 2 && swapped > 2 * intact;
}

/**
 * Puts swapped lam-alef pairs back in order. Sequences no Arabic word has are always repaired ("األولى" →
 * "الأولى", "اإلدارة" → "الإدارة"). When `swapped` (see `lamAlefLooksSwapped`) the ambiguous ones that only a
 * page with every ligature swapped explains are repaired too: "ال" alone → "لا", "إال" → "إلا", "الالئحة" →
 * "اللائحة", "االمتحان" → "الامتحان", a final "الل" → "لال" ("خالل" → "خلال"). Swaps inside other words
 * ("العالقات") stay: without a dictionary they cannot be told from correct words ("الطالب").
 */
export function repairLamAlef(text: string, swapped = false): string {
  const out = text.replace(ALEF_THEN_HAMZA_ALEF_LAM, "ال$1");
  if (!swapped) return out;
  return out.replace(WORD, (word) => {
    if (word === "ال") return "لا";
    if (/^[وفأإ]ال$/.test(word)) return `${word[0]}لا`;
    const prefix = word.match(PREFIX)![0];
    let rest = word.slice(prefix.length);
    if (rest.startsWith("الال")) rest = `اللا${rest.slice(4)}`;
    else if (new RegExp(`^ا[${ALEFS}]ل`).test(rest)) rest = `ال${rest[1]}${rest.slice(3)}`;
    if (/[^ا]الل$/.test(rest)) rest = `${rest.slice(0, -3)}لال`;
    return prefix + rest;
  });
}

// Letters that do not join the next one: after them a wide kerning gap looks like a space to an extractor.
const NON_JOINING = "اأإآدذرزوؤ";
// Word endings that are never words of their own ("فر يق", "الدور ية", "تحو يله").
const SUFFIX_FRAGMENTS = [
  "ية",
  "يه",
  "ين",
  "يق",
  "يل",
  "ياء",
  "يون",
  "يات",
  "يها",
  "يهم",
  "يين",
  "يله",
  "يته",
];
const SPLIT_SUFFIX = new RegExp(
  `(?<=[${LETTER}][${NON_JOINING}]) (${SUFFIX_FRAGMENTS.join("|")})(?=[^${LETTER}${MARK}]|$)`,
  "g",
);
// The article and one letter are never a word: the rest of the word follows ("الر ياضة").
const SPLIT_AFTER_ARTICLE = new RegExp(
  `(?<=(?:^|[^${LETTER}${MARK}])[وفبك]?ال[${NON_JOINING}]) (?=[${LETTER}])`,
  "g",
);
// The conjunction wa is written joined to its word; alone it is a space made up after it.
const LONE_WAW = new RegExp(`(?<=^|[\\s(«"])و (?=[${LETTER}])`, "gm");

/**
 * Removes spaces that PDF extractors make up inside Arabic words where a font kerns a letter away from a
 * non-joining one before it: after a lone "و" or an article with one letter, and before word endings that are
 * never words.
 */
export function repairSplitWords(text: string): string {
  return text.replace(LONE_WAW, "و").replace(SPLIT_SUFFIX, "$1").replace(SPLIT_AFTER_ARTICLE, "");
}
