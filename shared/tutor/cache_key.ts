import { normalizeText } from "../text/fold.ts";
import { words } from "../text/terms.ts";
import type { AnswerPolicy, TutorIntent, TutorLanguage } from "./types.ts";
import { sha256Hex } from "../crypto.ts";

/** How long a cached answer lives. */
export const ANSWER_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

/** A question in the form cache keys compare: normalised, punctuation and spacing ignored. */
export function normalizeQuestion(question: string): string {
  return words(normalizeText(question)).join(" ");
}

/**
 * The cache key of a final answer: course, language, policy, corpus version and the hashed normalised question. The
 * course id is part of the key, so an answer never crosses courses; a new corpus version makes old answers unreachable.
 */
export async function answerCacheKey(input: {
  courseId: string;
  question: string;
  policy: AnswerPolicy;
  language: TutorLanguage;
  corpusVersion: string | number;
}): Promise<string> {
  const hash = await sha256Hex(normalizeQuestion(input.question));
  return `tutor:answer:v1:${encodeURIComponent(input.courseId)}:${input.corpusVersion}:${input.policy}:` +
    `${input.language}:${hash}`;
}

/** What `isCacheable` looks at in a finished turn. */
export interface CacheableTurn {
  intent: TutorIntent;
  question: string;
  refused: boolean;
  /** The model read earlier turns, so the answer may depend on the session. */
  historyUsed: boolean;
  /** Retrieval ran without one of its parts (e.g. the vector store); a later answer may be better. */
  degraded: boolean;
  citations: number;
  unsupportedDropped: number;
}

// First-person references make a question about the student, not the material ("my grade", "درجتي").
const PERSONAL = /\b(i|me|my|mine|myself|i'm|i've|we|our)\b|(درجتي|علامتي|امتحاني|واجبي|نتيجتي|انا|لي|عندي)/;

/**
 * Whether a turn's answer may be cached and reused for other students: only grounded answers to self-contained course
 * questions. Never refusals (they depend on guardrails and open exams), personal questions, answers that read the
 * session's history, degraded retrievals, or answers that needed sentences dropped.
 */
export function isCacheable(turn: CacheableTurn): boolean {
  if (turn.intent !== "course_question" || turn.refused) return false;
  if (turn.historyUsed || turn.degraded) return false;
  if (turn.citations === 0 || turn.unsupportedDropped > 0) return false;
  return !PERSONAL.test(normalizeText(turn.question));
}
