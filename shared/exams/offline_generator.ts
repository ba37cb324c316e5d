/**
 * The offline exam generator: real items from the course material without a model. It picks key sentences, finds
 * each one's key term (a content word the course uses elsewhere too), and builds cloze short answers, multiple choice
 * with distractors drawn from the course's other key terms, and true/false from the sentence or a term-swapped copy.
 * Every item's key is checked against its cited chunk before it is kept; no sentence and no key term is used twice.
 */
import { foldWord } from "../text/fold.ts";
import { contentWords, foldPhrase, isStopWord, plainWords } from "../text/plain_words.ts";
import { splitSentences } from "../text/sentences.ts";
import type {
  Blueprint,
  Difficulty,
  ExamGenerator,
  GeneratedItem,
  GenerateOptions,
  ItemType,
  SourceChunk,
} from "./types.ts";

interface Candidate {
  chunk: SourceChunk;
  sentence: string;
  /** Key term as written in the sentence, and folded. */
  term: string;
  termKey: string;
  difficulty: Difficulty;
}

const BLANK = "_____";
const PRONOUN_START = /^(it|this|that|these|those|they|he|she|we|its|their|such|here|there)\b/i;

/** A small seeded PRNG (mulberry32), so the same material and blueprint give the same exam. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const OUT_OF_CONTEXT = new RegExp(
  "^(so|thus|therefore|hence|remember|recall|like any other)\\b|\\b(this|these|those|such)\\s+\\p{L}{3,}|" +
    "\\bthat\\s+(category|kind|type|case|method|trick|relationship)\\b|\\bthe (first|second|third|other) one\\b",
  "iu",
);

/** Whether a sentence can stand alone as a question: full, declarative, prose rather than a heading or a list. */
function usableSentence(sentence: string): boolean {
  const tokens = sentence.split(/\s+/);
  if (tokens.length < 7 || tokens.length > 40) return false;
  if (!/[.]$/.test(sentence)) return false;
  if (!/^[\p{Lu}\u0600-\u06FF]/u.test(sentence)) return false;
  if (PRONOUN_START.test(sentence)) return false;
  // Words that point at something said elsewhere make an item that cannot be answered on its own.
  if (/^[(\d]|\b(either|neither|above|below|former|latter|the same|aforementioned)\b/i.test(sentence)) {
    return false;
  }
  if (/--|\.\s*\.|•|https?:|@|\|/.test(sentence)) return false;
  // Pointers to a context the item does not carry ("this trick", "such methods", "that category", "the second
  // one") and openers that continue an argument ("So…", "Remember,…") make an item that cannot stand alone.
  if (OUT_OF_CONTEXT.test(sentence)) return false;
  const wordy = tokens.filter((t) => /^[\p{L}][\p{L}'’-]*[,.;:]?$/u.test(t)).length;
  if (wordy / tokens.length < 0.8) return false;
  if (/\b(figure|table|chapter|exercise|example|see|page)\s+\d/i.test(sentence)) return false;
  return true;
}

/** Common words that make poor answers even when the material repeats them. */
const GENERIC = new Set(
  ("however consider like easy hard thing things something anything everything really simply actually always never " +
    "often sometimes another whole part kind little good great better best right wrong important different following " +
    "given says said make made take taken give gave look want need know think come goes going work works course " +
    "student students chapter section page answer question questions problem problems example examples let lets " +
    "way ways still even since because while without within back long well first last next same")
    .split(" "),
);

/** Replaces the first whole-word occurrence of `term` in `sentence`. */
function replaceTerm(sentence: string, term: string, by: string): string | undefined {
  const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}(?=$|[^\\p{L}\\p{N}])`, "u");
  if (!re.test(sentence)) return undefined;
  return sentence.replace(re, (_m, pre) => `${pre}${by}`);
}

/** Collects candidate sentences with their key term: a content word the material keeps coming back to. */
function candidatesOf(chunks: SourceChunk[]): { candidates: Candidate[]; terms: Map<string, string> } {
  // Sentences repeated across chunks are running headers, footers or boilerplate, not teaching material.
  const seen = new Map<string, number>();
  const perChunk = chunks.map((chunk) => ({ chunk, sentences: splitSentences(chunk.text) }));
  for (const { sentences } of perChunk) {
    for (const s of new Set(sentences.map(foldPhrase))) seen.set(s, (seen.get(s) ?? 0) + 1);
  }
  const sentences: { chunk: SourceChunk; sentence: string }[] = [];
  const df = new Map<string, number>();
  let total = 0;
  for (const { chunk, sentences: list } of perChunk) {
    for (const sentence of list) {
      if ((seen.get(foldPhrase(sentence)) ?? 0) > 1) continue;
      total++;
      for (const w of new Set(contentWords(sentence))) df.set(w, (df.get(w) ?? 0) + 1);
      if (usableSentence(sentence)) sentences.push({ chunk, sentence });
    }
  }
  const headingWords = new Set(chunks.flatMap((c) => contentWords(c.heading ?? "")));
  const candidates: Candidate[] = [];
  const terms = new Map<string, string>();
  for (const { chunk, sentence } of sentences) {
    const tokens = sentence.split(/\s+/);
    let best: { term: string; key: string; weight: number } | undefined;
    // Skip the first word: blanking a sentence's opening word makes a poor cloze.
    for (const raw of tokens.slice(1)) {
      const term = raw.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
      const key = foldWord(term);
      const count = df.get(key) ?? 0;
      if (key.length < 4 || isStopWord(key) || GENERIC.has(key) || /\d/.test(key) || count < 2) continue;
      if (/^[a-z]+ly$/.test(key)) continue;
      const weight = Math.log(1 + count) * (1 + Math.min(key.length, 12) / 12) +
        (headingWords.has(key) ? 1 : 0);
      if (!best || weight > best.weight) best = { term, key, weight };
    }
    if (!best || !replaceTerm(sentence, best.term, BLANK)) continue;
    const share = (df.get(best.key) ?? 1) / Math.max(total, 1);
    const difficulty: Difficulty = share > 0.08 ? "easy" : share > 0.03 ? "medium" : "hard";
    candidates.push({ chunk, sentence, term: best.term, termKey: best.key, difficulty });
    if (!terms.has(best.key)) terms.set(best.key, best.term);
  }
  // Distractors may also come from other repeated content words of the course, not only chosen keys.
  for (const [key, count] of df) {
    if (
      count >= 3 && key.length >= 5 && !isStopWord(key) && !GENERIC.has(key) && !/\d/.test(key) &&
      !terms.has(key)
    ) {
      terms.set(key, key);
    }
  }
  return { candidates, terms };
}

/** Picks `count` distractor terms unlike the key, of a similar shape, not present in the sentence. */
function distractorsFor(
  candidate: Candidate,
  terms: Map<string, string>,
  count: number,
  random: () => number,
): string[] {
  const inSentence = new Set(plainWords(candidate.sentence));
  const capital = /^\p{Lu}/u.test(candidate.term);
  const ending = foldWord(candidate.term).slice(-3);
  const pool = [...terms.entries()]
    .filter(([key]) => key !== candidate.termKey && !inSentence.has(key))
    .map(([, term]) => {
      // Of the key's type: a name for a name, and for common words the same ending ("-tion", "-ing", "-ity"),
      // which in English mostly means the same part of speech.
      const shape = (/^\p{Lu}/u.test(term) === capital ? 0 : 2) +
        (capital || foldWord(term).slice(-3) === ending ? 0 : 0.4) +
        Math.abs(term.length - candidate.term.length) / Math.max(term.length, candidate.term.length);
      return { term, rank: shape + random() * 0.5 };
    })
    .sort((a, b) => a.rank - b.rank);
  // Words sharing a stem with the key or with each other ("equation"/"equations") would give the answer away.
  const stem = (t: string) => foldWord(t).slice(0, 5);
  const out: string[] = [];
  for (const { term } of pool) {
    if (stem(term) === stem(candidate.term) || out.some((t) => stem(t) === stem(term))) continue;
    out.push(term);
    if (out.length === count) break;
  }
  return out;
}

// A number standing alone: not part of a word, a decimal, or a code like "K-12".
const NUMBER =
  /(?<![\p{L}\p{N}.,])(?<!\p{L}[-\u2010\u2011\u2013])\d{1,4}(?:[.,]\d+)?(?![\p{L}\p{N}]|[.,]\d)/gu;

/** The numbers the course's material uses (years, counts, measures), for false statements that confuse them. */
function courseNumbers(chunks: SourceChunk[]): string[] {
  return [...new Set(chunks.flatMap((c) => c.text.match(NUMBER) ?? []))];
}

/**
 * A false statement made from a real confusion in the material: a number of the sentence swapped for another
 * number the course uses (a year for a year), else the key term swapped for another course term of its type.
 */
function confusedStatement(
  c: Candidate,
  terms: Map<string, string>,
  numbers: string[],
  random: () => number,
): string | undefined {
  const inSentence: string[] = c.sentence.match(NUMBER) ?? [];
  if (inSentence.length > 0) {
    const number = inSentence[Math.floor(random() * inSentence.length)];
    const year = (n: string) => /^(1[0-9]|20)\d\d$/.test(n);
    const others = numbers.filter((n) => n !== number && !inSentence.includes(n) && year(n) === year(number));
    if (others.length > 0) {
      // The closest in value is the likeliest confusion (1849 for 1851, 12 for 11).
      const value = Number(number.replace(",", "."));
      const swap = others.toSorted((a, b) =>
        Math.abs(Number(a.replace(",", ".")) - value) - Math.abs(Number(b.replace(",", ".")) - value)
      )[Math.floor(random() * Math.min(2, others.length))];
      const statement = replaceTerm(c.sentence, number, swap);
      if (statement) {
        return statement;
      }
    }
  }
  const [swap] = distractorsFor(c, terms, 1, random);
  return swap ? replaceTerm(c.sentence, c.term, swap) : undefined;
}

const TEXT = {
  en: {
    blank: (s: string) => `Fill in the blank: ${s}`,
    choose: (s: string) => `Which term completes the statement? ${s}`,
    trueFalse: (s: string) => `True or false: ${s}`,
    yes: "True",
    no: "False",
    explainKey: (term: string, quote: string) => `The material says: “${quote}” The answer is “${term}”.`,
    explainFalse: (quote: string) => `False. The material says: “${quote}”`,
    explainTrue: (quote: string) => `True. The material says: “${quote}”`,
  },
  ar: {
    blank: (s: string) => `أكمل الفراغ: ${s}`,
    choose: (s: string) => `اختر الكلمة التي تكمل العبارة: ${s}`,
    trueFalse: (s: string) => `صح أم خطأ: ${s}`,
    yes: "صح",
    no: "خطأ",
    explainKey: (term: string, quote: string) => `ورد في المادة: «${quote}» والإجابة «${term}».`,
    explainFalse: (quote: string) => `خطأ. ورد في المادة: «${quote}»`,
    explainTrue: (quote: string) => `صح. ورد في المادة: «${quote}»`,
  },
};

/** Whether an item's key is supported by its cited chunk (the check every generator's items must pass). */
export function isKeySupported(item: GeneratedItem, chunksById: Map<string, SourceChunk>): boolean {
  const citation = item.citations[0];
  const chunk = citation && chunksById.get(citation.chunkId);
  if (!chunk) return false;
  const material = foldPhrase(chunk.text);
  const quote = foldPhrase(citation.quote);
  if (!quote || !material.includes(quote)) return false;
  if (item.type === "true_false") {
    const statement = foldPhrase(item.question.replace(/^[^:]*:\s*/, ""));
    const inMaterial = material.includes(statement);
    const isTrue = item.answerKey === item.options[0];
    return isTrue ? inMaterial : !inMaterial;
  }
  // Cloze-style items: the blank filled with the key must read as the cited sentence.
  if (!item.question.includes(BLANK)) return false;
  const cloze = item.question.replace(/^[^:?؟]*[:?؟]\s*/, "");
  const filled = foldPhrase(cloze.replace(BLANK, item.answerKey));
  return filled.length > 0 && material.includes(filled);
}

function allocate(blueprint: Blueprint): { type: ItemType; difficulty: Difficulty }[] {
  const slots: { type: ItemType; difficulty: Difficulty }[] = [];
  const total = blueprint.counts.multiple_choice + blueprint.counts.true_false +
    blueprint.counts.short_answer;
  const mix = blueprint.difficulty;
  const sum = mix.easy + mix.medium + mix.hard || 1;
  const levels: Difficulty[] = [];
  for (const d of ["easy", "medium", "hard"] as const) {
    for (let i = 0; i < Math.round((mix[d] / sum) * total); i++) levels.push(d);
  }
  while (levels.length < total) levels.push("medium");
  let i = 0;
  for (const type of ["multiple_choice", "true_false", "short_answer"] as const) {
    for (let k = 0; k < blueprint.counts[type]; k++) slots.push({ type, difficulty: levels[i++] });
  }
  return slots;
}

/** Stems of the objectives' content words: the first five letters, so "equations" meets "equation". */
function objectiveStems(objectives: string[]): Set<string> {
  return new Set(objectives.flatMap(contentWords).filter((w) => w.length >= 4).map((w) => w.slice(0, 5)));
}

/** How many of the objectives' stems a candidate's sentence (and its chunk's heading) uses. */
function objectiveMatch(c: Candidate, stems: Set<string>): number {
  if (stems.size === 0) return 0;
  const seen = new Set(contentWords(`${c.sentence} ${c.chunk.heading ?? ""}`).map((w) => w.slice(0, 5)));
  let n = 0;
  for (const stem of seen) if (stems.has(stem)) n++;
  return n;
}

/**
 * The offline generator; deterministic for the same material, blueprint and facts to avoid. With learning
 * objectives, sentences sharing the objectives' words are preferred (then the slot's difficulty); facts given to
 * avoid (the other items of the exam) are never tested again: neither their sentence nor their key term.
 */
export class OfflineExamGenerator implements ExamGenerator {
  readonly name = "offline";

  generate(
    blueprint: Blueprint,
    chunks: SourceChunk[],
    options: GenerateOptions = {},
  ): Promise<GeneratedItem[]> {
    const wanted = blueprint.documentIds?.length ? new Set(blueprint.documentIds) : undefined;
    const material = chunks.filter((c) => !wanted || wanted.has(c.documentId));
    const chunksById = new Map(material.map((c) => [c.chunkId, c]));
    const random = rng(hash(JSON.stringify(blueprint) + material.map((c) => c.chunkId).join()));
    const { candidates, terms } = candidatesOf(material);
    const text = TEXT[blueprint.language];
    const usedTerms = new Set<string>();
    const usedSentences = new Set<string>();
    for (const factKey of options.avoidFactKeys ?? []) {
      // Fact keys are "<folded sentence>|<key term>" (this generator's and the model generator's alike).
      const cut = factKey.lastIndexOf("|");
      usedSentences.add(cut < 0 ? factKey : factKey.slice(0, cut));
      if (cut >= 0 && factKey.slice(cut + 1)) usedTerms.add(factKey.slice(cut + 1));
    }
    const items: GeneratedItem[] = [];

    // True/false keys are balanced (half each, the odd one by a seeded coin) and their order shuffled.
    const trueFalseCount = blueprint.counts.true_false;
    const truths = Array.from(
      { length: trueFalseCount },
      (_, i) =>
        i < Math.floor(trueFalseCount / 2) ||
        (i === trueFalseCount - 1 && trueFalseCount % 2 === 1 && random() < 0.5),
    ).map((t) => ({ t, r: random() })).sort((a, b) => a.r - b.r).map((x) => x.t);
    let trueFalseDone = 0;
    const numbers = courseNumbers(material);
    // Spread picks across the material rather than taking the first pages only.
    const order = candidates.map((c) => ({ c, r: random() })).sort((a, b) => a.r - b.r).map((x) => x.c);
    const stems = objectiveStems(blueprint.objectives ?? []);
    const match = new Map(order.map((c) => [c, objectiveMatch(c, stems)]));

    for (const slot of allocate(blueprint)) {
      // Sentences on the objectives first (most matching words first), then the slot's difficulty.
      const pickOrder = order.toSorted((a, b) =>
        (match.get(b)! - match.get(a)!) ||
        (Number(b.difficulty === slot.difficulty) - Number(a.difficulty === slot.difficulty))
      );
      for (const candidate of pickOrder) {
        const sentenceKey = foldPhrase(candidate.sentence);
        if (usedTerms.has(candidate.termKey) || usedSentences.has(sentenceKey)) continue;
        const wantTrue = slot.type === "true_false" && truths[trueFalseDone];
        const item = this.#build(slot.type, candidate, terms, text, random, wantTrue, numbers);
        // Discard and move on to the next candidate when the key is not supported by the cited chunk.
        if (!item || !isKeySupported(item, chunksById)) continue;
        usedTerms.add(candidate.termKey);
        usedSentences.add(sentenceKey);
        if (slot.type === "true_false") trueFalseDone++;
        items.push(item);
        break;
      }
    }
    return Promise.resolve(items);
  }

  #build(
    type: ItemType,
    c: Candidate,
    terms: Map<string, string>,
    text: typeof TEXT.en,
    random: () => number,
    wantTrue: boolean,
    numbers: string[],
  ): GeneratedItem | undefined {
    const citations = [{
      chunkId: c.chunk.chunkId,
      documentId: c.chunk.documentId,
      page: c.chunk.page,
      quote: c.sentence,
    }];
    const cloze = replaceTerm(c.sentence, c.term, BLANK)!;
    const base = { difficulty: c.difficulty, citations, factKey: `${foldPhrase(c.sentence)}|${c.termKey}` };
    if (type === "short_answer") {
      return {
        ...base,
        type,
        question: text.blank(cloze),
        options: [],
        answerKey: c.term,
        explanation: text.explainKey(c.term, c.sentence),
      };
    }
    if (type === "multiple_choice") {
      const distractors = distractorsFor(c, terms, 3, random);
      if (distractors.length < 3) return undefined;
      const options = [c.term, ...distractors].map((o) => ({ o, r: random() })).sort((a, b) => a.r - b.r).map(
        (x) => x.o,
      );
      return {
        ...base,
        type,
        question: text.choose(cloze),
        options,
        answerKey: c.term,
        explanation: text.explainKey(c.term, c.sentence),
      };
    }
    if (wantTrue) {
      return {
        ...base,
        type,
        question: text.trueFalse(c.sentence),
        options: [text.yes, text.no],
        answerKey: text.yes,
        explanation: text.explainTrue(c.sentence),
      };
    }
    const statement = confusedStatement(c, terms, numbers, random);
    if (!statement) return undefined;
    return {
      ...base,
      type,
      question: text.trueFalse(statement),
      options: [text.yes, text.no],
      answerKey: text.no,
      explanation: text.explainFalse(c.sentence),
    };
  }
}
