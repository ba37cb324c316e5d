/** Labels for `eval:tutor`: which questions of left-out paragraphs are really unanswerable from the course. */
import { normalizeText } from "../shared/text/fold.ts";
import { splitSentences } from "../shared/text/sentences.ts";
import { contentTerms } from "../shared/text/terms.ts";

/** Text folded for containment checks: the full fold with runs of spaces made one. */
export const squash = (text: string) => normalizeText(text).replace(/\s+/g, " ").trim();

/**
 * Whether a question of a left-out paragraph is answerable from the course after all: a kept paragraph holds the gold
 * answer in a sentence sharing at least 60% of the content terms of the left-out paragraph's sentence that holds it
 * (the same sentence, or an edited copy). ARCD's paragraphs often repeat one another (77 articles, 231 paragraphs,
 * 193 distinct openings), so a "left-out" paragraph's answer is often still in the course; such a question is not
 * counted as unanswerable (nor as answerable: it is left out of the measure, and counted).
 */
export function answerKept(context: string, gold: string[], course: string[][]): boolean {
  const golds = gold.map(squash).filter((g) => g.length > 0);
  const holding = (s: string) => golds.some((g) => squash(s).includes(g));
  const sources = splitSentences(context).filter(holding).map((s) => new Set(contentTerms(s)));
  return course.some((sentences) =>
    sentences.filter(holding).some((kept) => {
      const terms = new Set(contentTerms(kept));
      return sources.some((src) =>
        src.size > 0 && [...src].filter((t) => terms.has(t)).length >= 0.6 * src.size
      );
    })
  );
}
