import { guidingQuestions, offlinePreface } from "../messages.ts";
import { rankSentences, type SentenceCandidate } from "../support.ts";
import { contentTerms, normalizeText, words } from "../text.ts";
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
    const best = ranked[0];
    if (!best || best.support < this.#threshold) return null;
    const chosen = chooseSentences(ranked, this.#threshold, this.#maxSentences);
    const open = language === "ar" ? "«" : "“";
    const close = language === "ar" ? "»" : "”";
    const lines = [offlinePreface(policy, language)];
    if (policy === "direct") {
      for (const c of chosen) lines.push(`${open}${c.sentence}${close} [${c.chunkIndex + 1}]`);
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

function chooseSentences(ranked: SentenceCandidate[], threshold: number, max: number): SentenceCandidate[] {
  const best = ranked[0];
  const chosen = [best];
  for (const candidate of ranked.slice(1)) {
    if (chosen.length >= max) break;
    // A second quote must be nearly as good, and not the same sentence seen through another chunk.
    if (candidate.support < Math.max(threshold, best.support - 0.1)) break;
    if (chosen.some((c) => normalizeText(c.sentence) === normalizeText(candidate.sentence))) continue;
    chosen.push(candidate);
  }
  // Reading order: by chunk, then position, so neighbouring sentences read naturally.
  return chosen.sort((a, b) => a.chunkIndex - b.chunkIndex || a.sentenceIndex - b.sentenceIndex);
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
