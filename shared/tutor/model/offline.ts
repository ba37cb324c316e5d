import { guidingQuestions, offlinePreface } from "../messages.ts";
import { continuesPrevious, isCutSentence, LEANS_BACK } from "../answer_type.ts";
import { rankSentences, type SentenceCandidate } from "../support.ts";
import { normalizeText } from "../../text/fold.ts";
import { splitSentences } from "../../text/sentences.ts";
import { contentTerms, words } from "../../text/terms.ts";
import type { AnswerPolicy, RetrievedChunk, TutorLanguage } from "../types.ts";
import type { GenerationRequest, ModelEvent, ModelTask, TutorModel } from "./interface.ts";

/** The model id the offline tutor records in usage. */
export const OFFLINE_MODEL_ID = "offline-extractive";

/**
 * Minimum question-term support (see `rankSentences`) for the offline tutor to answer. Tuned on the XQuAD fixture:
 * at 0.55 it refuses ≥ 95% of questions whose answer is not in the course and answers most that are (docs/tutor.md).
 */
export const DEFAULT_SUPPORT_THRESHOLD = 0.45;

/**
 * The tutor that needs no model: it quotes the best-supported sentences of the retrieved chunks with their citation
 * numbers, says so, and refuses when the material does not cover the question. Under `socratic` it blanks out what
 * the question does not already name, so the student completes it; under `hints-only` it only points to the place.
 */
export class OfflineTutor implements TutorModel {
  readonly usesHistory = false;
  readonly #threshold: number;
  readonly #maxSentences: number;

  /** `threshold` overrides the refusal threshold; `maxSentences` caps quoted sentences (default 2). */
  constructor(options: { threshold?: number; maxSentences?: number } = {}) {
    this.#threshold = options.threshold ?? DEFAULT_SUPPORT_THRESHOLD;
    this.#maxSentences = options.maxSentences ?? 2;
  }

  /** Always the offline id: there is one "model" for every task. */
  modelFor(_task: ModelTask): string {
    return OFFLINE_MODEL_ID;
  }

  /** Streams the extractive answer in word pieces, or a refusal event, then character usage. */
  async *stream(request: GenerationRequest): AsyncIterable<ModelEvent> {
    const input = request.messages.reduce((sum, m) => sum + m.content.length, 0);
    const grounding = request.grounding;
    const text = grounding
      ? this.answer(grounding.question, grounding.chunks, grounding.policy, grounding.language)
      : null;
    if (text === null) {
      yield { type: "refusal" };
      yield { type: "usage", usage: { unit: "characters", input, output: 0 } };
      return;
    }
    for (const piece of text.match(/\S+\s*|\s+/g) ?? []) {
      if (request.signal?.aborted) break;
      yield { type: "token", text: piece };
    }
    yield { type: "usage", usage: { unit: "characters", input, output: text.length } };
  }

  /** The whole answer text, or null when the chunks do not support the question well enough. */
  answer(
    question: string,
    chunks: RetrievedChunk[],
    policy: AnswerPolicy,
    language: TutorLanguage,
  ): string | null {
    const ranked = rankSentences(question, chunks);
    // The material must support the question at all, then the answer cues pick among the sentences that do.
    const supported = ranked.filter((c) => c.support >= this.#threshold);
    const best = supported[0];
    if (!best) return null;
    const open = language === "ar" ? "«" : "“";
    const close = language === "ar" ? "»" : "”";
    const lines = [offlinePreface(policy, language)];
    if (policy === "direct") {
      for (const passage of choosePassages(supported, chunks, this.#maxSentences)) {
        lines.push(`${open}${passage.text}${close} [${passage.chunkIndex + 1}]`);
      }
    } else if (policy === "socratic") {
      const keep = new Set(contentTerms(question));
      lines.push(`${open}${blankOut(best.sentence, keep)}${close} [${best.chunkIndex + 1}]`);
      lines.push(...guidingQuestions(language));
    } else {
      const chunk = chunks[best.chunkIndex];
      lines.push(hintPointer(chunk, question, best, language));
      lines.push(guidingQuestions(language)[0]);
    }
    return lines.join("\n\n");
  }
}

/** A quoted run of consecutive sentences of one chunk. */
interface Passage {
  chunkIndex: number;
  first: number;
  last: number;
  text: string;
}

// A lead-in announces what follows: "Graphing has three distinct advantages:".
const LEAD_IN = /[:：]$/;
const LIST_ITEM = /^\s*([-•*–]|\d+[.)]|\(?[a-z]\))\s/;
const MAX_PASSAGE_CHARS = 700;

/**
 * The passages to quote: the best sentence with the context it needs (the sentence before, when it leans back on
 * it; what a lead-in announces; the neighbour holding the kind of answer asked for when the best sentence does
 * not), then a second sentence if nearly as good. Whole sentences only, in reading order.
 */
function choosePassages(ranked: SentenceCandidate[], chunks: RetrievedChunk[], max: number): Passage[] {
  const sentencesOf = new Map<number, string[]>();
  const sentences = (chunkIndex: number) => {
    let list = sentencesOf.get(chunkIndex);
    if (!list) sentencesOf.set(chunkIndex, list = splitSentences(chunks[chunkIndex].text));
    return list;
  };
  const best = ranked[0];
  const passages = [expand(best, sentences(best.chunkIndex), ranked)];
  for (const candidate of ranked.slice(1)) {
    if (passages.length >= max) break;
    // A second quote must be nearly as good, and not a sentence already quoted (or the same seen twice).
    if (candidate.rank < best.rank - 0.1) break;
    const inside = passages.some((p) =>
      p.chunkIndex === candidate.chunkIndex && candidate.sentenceIndex >= p.first &&
      candidate.sentenceIndex <= p.last
    );
    const seen = passages.some((p) => normalizeText(p.text).includes(normalizeText(candidate.sentence)));
    if (inside || seen) continue;
    passages.push(expand(candidate, sentences(candidate.chunkIndex), ranked));
  }
  // Reading order; passages of one chunk that overlap or touch become one quote.
  const merged: Passage[] = [];
  for (const p of passages.sort((a, b) => a.chunkIndex - b.chunkIndex || a.first - b.first)) {
    const last = merged.at(-1);
    if (last && last.chunkIndex === p.chunkIndex && p.first <= last.last + 1) {
      last.last = Math.max(last.last, p.last);
      last.text = passageText(sentences(p.chunkIndex), last.first, last.last);
    } else merged.push(p);
  }
  return merged;
}

/**
 * Whether a sentence announces what follows: it ends in a colon, or it is followed by list items ("Graphing has three
 * distinct advantages." then "1. …", "2. …").
 */
function isLeadIn(sentences: string[], i: number): boolean {
  if (LIST_ITEM.test(sentences[i])) return false;
  return LEAD_IN.test(sentences[i]) || LIST_ITEM.test(sentences[i + 1] ?? "");
}

/** A candidate sentence grown into the passage it needs to be understood and to answer. */
function expand(c: SentenceCandidate, sentences: string[], ranked: SentenceCandidate[]): Passage {
  let first = c.sentenceIndex;
  let last = c.sentenceIndex;
  const cut = (i: number) => isCutSentence(sentences[i], i === sentences.length - 1);
  const fits = (i: number) =>
    !cut(i) && sentences.slice(first, last + 1).join(" ").length + sentences[i].length < MAX_PASSAGE_CHARS;
  const leadIn = isLeadIn(sentences, last);
  // A lead-in leaning back ("However, graphing also has two disadvantages.") needs its list, not the item before it.
  if (first > 0 && LEANS_BACK.test(sentences[first]) && !(leadIn && LIST_ITEM.test(sentences[first - 1]))) {
    if (fits(first - 1)) first--;
  }
  if (leadIn) {
    // What the lead-in announces: the list items (or the one sentence) that follow it.
    while (last + 1 < sentences.length && last - c.sentenceIndex < 6 && fits(last + 1)) {
      last++;
      if (!LIST_ITEM.test(sentences[last + 1] ?? "")) break;
    }
  } else if (!c.offersAnswer) {
    // The answer often sits right next to the sentence that names the question's topic.
    const offers = (i: number) =>
      ranked.some((r) => r.chunkIndex === c.chunkIndex && r.sentenceIndex === i && r.offersAnswer);
    if (last + 1 < sentences.length && offers(last + 1) && fits(last + 1)) last++;
    else if (first > 0 && offers(first - 1) && fits(first - 1)) first--;
  }
  // The sentence after, when it goes on about what this one names ("They also won…", "Most of these schools…").
  if (!leadIn && last + 1 < sentences.length && continuesPrevious(sentences[last + 1]) && fits(last + 1)) {
    last++;
  }
  return { chunkIndex: c.chunkIndex, first, last, text: passageText(sentences, first, last) };
}

/** Sentences `first`..`last` of a chunk; a sentence the chunk cuts off ends in "…" rather than stopping silently. */
function passageText(sentences: string[], first: number, last: number): string {
  const text = sentences.slice(first, last + 1).join(" ");
  return isCutSentence(sentences[last], last === sentences.length - 1) ? `${text} …` : text;
}

/** A sentence with every content word the question does not name replaced by a blank: the answer is left to find. */
function blankOut(sentence: string, keep: Set<string>): string {
  return sentence.replace(/[\p{L}\p{N}]+(?:[.,][\p{N}]+)*/gu, (word) => {
    const terms = contentTerms(word);
    if (terms.length === 0) return word;
    return terms.every((t) => keep.has(t)) ? word : "____";
  });
}

function hintPointer(
  chunk: RetrievedChunk,
  question: string,
  best: SentenceCandidate,
  language: TutorLanguage,
): string {
  const normalSentence = new Set(words(best.sentence));
  const shared = words(question).filter((w) => normalSentence.has(w) && contentTerms(w).length > 0);
  const terms = [...new Set(shared)].slice(0, 4).join(language === "ar" ? "، " : ", ");
  const where = chunk.page === null
    ? ""
    : language === "ar"
    ? ` (صفحة ${chunk.page})`
    : ` (page ${chunk.page})`;
  // Two lines: an intro (framing, not a claim) and the key terms, which the groundedness check can verify.
  return language === "ar"
    ? `ابحث في «${chunk.documentTitle}»${where} عن الجزء الذي يتحدث عن:\n${terms} [${best.chunkIndex + 1}]`
    : `Look in “${chunk.documentTitle}”${where} for the part about:\n${terms} [${best.chunkIndex + 1}]`;
}
