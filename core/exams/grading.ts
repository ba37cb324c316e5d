/**
 * Grading rules that need no model: exact grading of objective items, offline similarity grading of short answers
 * with a confidence (low confidence goes to the instructor), and item statistics for the instructor's results view.
 */
import { contentWords, foldWord, words } from "../../shared/text/sentences.ts";
import type { ItemType } from "./types.ts";

/** A grade with how sure the grader is and why. */
export interface Grade {
  /** Fraction of the item's points, 0..1. */
  score: number;
  /** 0..1; below the review threshold the instructor is asked to check it. */
  confidence: number;
  justification: string;
}

/** Grades multiple choice and true/false exactly (case and spacing do not matter). */
export function gradeObjective(answerKey: string, answer: string | null | undefined): Grade {
  const correct = answer !== null && answer !== undefined && fold(answer) === fold(answerKey);
  return {
    score: correct ? 1 : 0,
    confidence: 1,
    justification: correct ? "Matches the key." : answer ? "Does not match the key." : "No answer given.",
  };
}

function fold(text: string): string {
  return words(text).join(" ");
}

function trigrams(text: string): Map<string, number> {
  const s = ` ${fold(text)} `;
  const grams = new Map<string, number>();
  for (let i = 0; i < s.length - 2; i++) {
    const g = s.slice(i, i + 3);
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  return grams;
}

/** Dice similarity of character trigrams: tolerant of typos and inflection. */
export function trigramSimilarity(a: string, b: string): number {
  const ga = trigrams(a);
  const gb = trigrams(b);
  let shared = 0;
  let total = 0;
  for (const [g, n] of ga) {
    shared += Math.min(n, gb.get(g) ?? 0);
    total += n;
  }
  for (const n of gb.values()) total += n;
  return total === 0 ? 0 : (2 * shared) / total;
}

/** 1 − normalised optimal-string-alignment distance (typos and swapped letters count once). */
export function editSimilarity(a: string, b: string): number {
  const x = fold(a);
  const y = fold(b);
  if (!x.length || !y.length) return 0;
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => [i, ...Array(y.length).fill(0)]);
  for (let j = 0; j <= y.length; j++) d[0][j] = j;
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return 1 - d[x.length][y.length] / Math.max(x.length, y.length);
}

/** Share of the key's content words present in the answer (recall of the key's meaning-bearing words). */
function keyWordRecall(key: string, answer: string): number {
  const keyWords = new Set(contentWords(key).length ? contentWords(key) : words(key));
  if (keyWords.size === 0) return 0;
  const answerWords = new Set(words(answer).map((w) => foldWord(w)));
  let hit = 0;
  for (const w of keyWords) {
    if ([...answerWords].some((a) => a === w || (w.length >= 5 && trigramSimilarity(a, w) >= 0.7))) hit++;
  }
  return hit / keyWords.size;
}

/**
 * Grades a short answer offline by similarity to the key. Clear matches and clear misses are confident; answers in
 * between get partial credit with low confidence, so they go to the instructor's review queue.
 */
export function gradeShortAnswerOffline(answerKey: string, answer: string | null | undefined): Grade {
  if (!answer || fold(answer).length === 0) {
    return { score: 0, confidence: 1, justification: "No answer given." };
  }
  if (fold(answer) === fold(answerKey)) {
    return { score: 1, confidence: 0.98, justification: "Same as the key." };
  }
  const short = fold(answer).length <= 60 && fold(answerKey).length <= 60;
  const similarity = Math.max(
    trigramSimilarity(answerKey, answer),
    keyWordRecall(answerKey, answer) * 0.95,
    short ? editSimilarity(answerKey, answer) : 0,
  );
  // Long answers that merely contain the key's words are less certain than short precise ones.
  const lengthRatio = fold(answer).length / Math.max(fold(answerKey).length, 1);
  const verbosity = lengthRatio > 4 ? 0.15 : 0;
  if (similarity >= 0.8) {
    return {
      score: 1,
      confidence: Math.max(0.5, 0.9 - verbosity),
      justification: `Close to the key (similarity ${similarity.toFixed(2)}).`,
    };
  }
  if (similarity <= 0.3) {
    return {
      score: 0,
      confidence: 0.9 - similarity,
      justification: `Unlike the key (similarity ${similarity.toFixed(2)}).`,
    };
  }
  return {
    score: 0.5,
    confidence: 0.4,
    justification: `Partly like the key (similarity ${similarity.toFixed(2)}); needs a human look.`,
  };
}

/** Grades one answer of any item type offline. */
export function gradeOffline(type: ItemType, answerKey: string, answer: string | null | undefined): Grade {
  return type === "short_answer"
    ? gradeShortAnswerOffline(answerKey, answer)
    : gradeObjective(answerKey, answer);
}

/** One graded response, for statistics. */
export interface ScoredResponse {
  attemptId: string;
  itemId: string;
  /** Fraction of the item's points, 0..1. */
  score: number;
}

/** Per-item statistics: difficulty (mean score, higher is easier) and discrimination (upper minus lower group). */
export interface ItemStatistics {
  itemId: string;
  responses: number;
  difficulty: number;
  discrimination: number | null;
}

/**
 * Classical item analysis: difficulty index p = mean score; discrimination D = p(upper 27%) − p(lower 27%) of
 * attempts ranked by total score (null with fewer than 4 attempts, where the groups mean nothing).
 */
export function itemStatistics(responses: ScoredResponse[]): ItemStatistics[] {
  const totals = new Map<string, number>();
  for (const r of responses) totals.set(r.attemptId, (totals.get(r.attemptId) ?? 0) + r.score);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
  const groupSize = Math.max(1, Math.round(ranked.length * 0.27));
  const upper = new Set(ranked.slice(0, groupSize));
  const lower = new Set(ranked.slice(-groupSize));
  const byItem = new Map<string, ScoredResponse[]>();
  for (const r of responses) byItem.set(r.itemId, [...(byItem.get(r.itemId) ?? []), r]);
  const mean = (xs: number[]) => xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
  return [...byItem.entries()].map(([itemId, rs]) => ({
    itemId,
    responses: rs.length,
    difficulty: round(mean(rs.map((r) => r.score))),
    discrimination: ranked.length < 4 ? null : round(
      mean(rs.filter((r) => upper.has(r.attemptId)).map((r) => r.score)) -
        mean(rs.filter((r) => lower.has(r.attemptId)).map((r) => r.score)),
    ),
  }));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
