/**
 * Grading rules that need no model: exact grading of objective items, offline similarity grading of short answers
 * with a confidence (low confidence goes to the instructor), and item statistics for the instructor's results view.
 */
import { foldPhrase, isStopWord, plainWords } from "../text/plain_words.ts";
import { searchTerms } from "../text/normalize.ts";
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
  const correct = answer !== null && answer !== undefined && foldPhrase(answer) === foldPhrase(answerKey);
  return {
    score: correct ? 1 : 0,
    confidence: 1,
    justification: correct ? "Matches the key." : answer ? "Does not match the key." : "No answer given.",
  };
}

function trigrams(text: string): Map<string, number> {
  const s = ` ${foldPhrase(text)} `;
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
  const x = foldPhrase(a);
  const y = foldPhrase(b);
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

const NUMBER_WORDS: Record<string, string> = Object.fromEntries(
  ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen " +
    "seventeen eighteen nineteen twenty").split(" ").map((w, i) => [w, String(i)]),
);

/** Stemmed content terms, with number words as digits ("three" and "3" meet). */
function keyTerms(text: string): string[] {
  const spelled = plainWords(text).map((w) => NUMBER_WORDS[w] ?? w).join(" ");
  return searchTerms(spelled);
}

/** Whether two single terms differ by a typo: one edit for short words, two from eight letters on. */
function isTypo(a: string, b: string): boolean {
  const longest = Math.max(a.length, b.length);
  if (longest < 4) return false;
  const edits = Math.round((1 - editSimilarity(a, b)) * longest);
  return edits <= (longest >= 8 ? 2 : 1);
}

/** Share of the key's terms that the answer holds, as the same stem or a typo of it. */
function keyTermRecall(key: string[], answer: string[]): number {
  const wanted = [...new Set(key)];
  if (wanted.length === 0) return 0;
  const hit = wanted.filter((k) => answer.some((a) => a === k || isTypo(a, k))).length;
  return hit / wanted.length;
}

/**
 * Grades a short answer offline. Full credit: the key itself, the same stems in another form ("equation" for
 * "equations", "3" for "three"), a typo of it, or a longer answer holding every key term. Half credit, sent to
 * review: part of a several-term key. Otherwise 0: letters in common are no evidence of meaning ("good" against
 * "common" shares none the grader can trust), so near-misses by spelling get no free half point. Synonyms and
 * paraphrases are beyond a model-free grader: such answers score 0 with confidence under the review threshold
 * when they resemble the key's wording at all, and the model grader (rubric) judges them when one is configured.
 */
export function gradeShortAnswerOffline(answerKey: string, answer: string | null | undefined): Grade {
  if (!answer || foldPhrase(answer).length === 0) {
    return { score: 0, confidence: 1, justification: "No answer given." };
  }
  if (foldPhrase(answer) === foldPhrase(answerKey)) {
    return { score: 1, confidence: 0.98, justification: "Same as the key." };
  }
  const key = keyTerms(answerKey);
  const given = keyTerms(answer);
  // Stems catch inflections; the words as written catch typos that throw a stemmer off ("substitutoin").
  const plain = (text: string) =>
    plainWords(text).map((w) => NUMBER_WORDS[w] ?? w).filter((w) => !isStopWord(w));
  const recall = Math.max(keyTermRecall(key, given), keyTermRecall(plain(answerKey), plain(answer)));
  // Long answers that merely contain the key's terms are less certain than short precise ones.
  const verbosity = given.length > 4 * Math.max(key.length, 1) ? 0.15 : 0;
  if (recall === 1 || (key.length === 0 && trigramSimilarity(answerKey, answer) >= 0.8)) {
    return {
      score: 1,
      confidence: Math.max(0.6, 0.9 - verbosity),
      justification: "Holds the key's terms (same stems, number words or small typos).",
    };
  }
  if (recall > 0) {
    return {
      score: 0.5,
      confidence: 0.4,
      justification: `Holds ${Math.round(recall * 100)}% of the key's terms; needs a human look.`,
    };
  }
  const similarity = trigramSimilarity(answerKey, answer);
  if (similarity > 0.3) {
    return {
      score: 0,
      confidence: 0.5,
      justification: `Not the key's terms, though worded alike (similarity ${
        similarity.toFixed(2)
      }); needs a human look.`,
    };
  }
  return {
    score: 0,
    confidence: 0.9 - similarity,
    justification: `None of the key's terms (similarity ${similarity.toFixed(2)}).`,
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

/** How often each option of a choice item was picked; answers matching no option count as `other`. */
export interface OptionChoices {
  itemId: string;
  choices: { option: string; count: number; key: boolean }[];
  /** Answers that are empty or match none of the options. */
  other: number;
}

/**
 * Distractor analysis of choice items (those with options): each option's count among the answers given, matched
 * as the objective grader matches (case and spacing ignored). Items without options are left out.
 */
export function optionChoices(
  items: { id: string; options: string[]; answerKey: string }[],
  answers: { itemId: string; answer: string | null }[],
): OptionChoices[] {
  const norm = (x: string) => x.trim().replace(/\s+/g, " ").toLowerCase();
  return items.filter((i) => i.options.length > 0).map((item) => {
    const counts = new Map(item.options.map((o) => [norm(o), 0]));
    let other = 0;
    for (const a of answers) {
      if (a.itemId !== item.id) continue;
      const picked = a.answer === null ? undefined : counts.get(norm(a.answer));
      if (picked === undefined) other++;
      else counts.set(norm(a.answer!), picked + 1);
    }
    return {
      itemId: item.id,
      choices: item.options.map((option) => ({
        option,
        count: counts.get(norm(option)) ?? 0,
        key: norm(option) === norm(item.answerKey),
      })),
      other,
    };
  });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
