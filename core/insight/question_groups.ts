/**
 * Groups students' questions that ask about the same thing, so faculty see each gap in their material once with
 * how often it was asked. Questions are reduced to keywords, the text toolkit's content terms (case, Arabic
 * diacritics and letter variants folded, stop words dropped, Porter2 for English, the tutor's light Arabic stem),
 * less the words of asking ("explain", "please"), and joined greedily:
 * a question joins the first group whose keywords cover at least half of the smaller of the two keyword sets.
 * No model is involved, so the grouping is cheap, deterministic and explainable ("shares: photosynthesis, light").
 */
import { foldLetters, normalizeText } from "../../shared/text/fold.ts";
import { contentTerm, words } from "../../shared/text/terms.ts";

/**
 * Words of asking, beyond the toolkit's stop words: "explain X please" is about X. Compared with each word and with
 * its term, so "explained" and "meaning" go too.
 */
const ASKING_WORDS = new Set(["please", "explain", "tell", "mean", "like", "اشرح", "معني"]);

/** The question's keywords: the toolkit's content terms (folded, stemmed, no stop words) of three characters or more. */
export function keywordsOf(question: string): string[] {
  return [...keywordForms(question).keys()];
}

/**
 * Each keyword of the question with the word it came from, lightly folded (labels show words as written, less
 * diacritics; the keyword itself comes from the full fold).
 */
function keywordForms(question: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const written of lightWords(question)) {
    const word = normalizeText(written);
    if (ASKING_WORDS.has(word)) continue;
    const term = contentTerm(word);
    if (term === undefined || term.length < 3 || ASKING_WORDS.has(term) || out.has(term)) continue;
    out.set(term, written);
  }
  return out;
}

/** The words of a text, lower case and lightly folded (`foldLetters`). */
function lightWords(text: string): string[] {
  return foldLetters(text.normalize("NFKC").toLowerCase()).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** One question as the grouping sees it. */
export interface AskedQuestion {
  text: string;
  userId: string;
  askedAt: Date;
}

/** A group of similar questions. */
export interface QuestionGroup {
  /** Up to three keywords most members share, most shared first. */
  keywords: string[];
  /** Up to three distinct question texts, newest first. */
  examples: string[];
  count: number;
  askers: number;
  lastAskedAt: Date;
}

/** Share of the smaller keyword set another set must cover for two questions to be grouped. */
export const GROUP_OVERLAP = 0.5;

function overlap(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  return shared / Math.min(a.size, b.size);
}

/**
 * Groups questions (pass them newest first): each group is compared through the keywords of the question that
 * started it, so a group cannot drift from topic to topic as members join. Groups come out largest first, then
 * most recently asked first.
 */
export function groupQuestions(questions: AskedQuestion[]): QuestionGroup[] {
  const groups: {
    seed: Set<string>;
    texts: string[];
    seen: Set<string>;
    users: Set<string>;
    counts: Map<string, number>;
    surface: Map<string, string>;
    count: number;
    lastAskedAt: Date;
  }[] = [];
  for (const q of questions) {
    const forms = keywordForms(q.text);
    const terms = [...forms.keys()];
    const key = terms.length > 0 ? new Set(terms) : new Set([normalizeText(q.text).trim()]);
    let group = groups.find((g) => overlap(g.seed, key) >= GROUP_OVERLAP);
    if (!group) {
      group = {
        seed: key,
        texts: [],
        seen: new Set(),
        users: new Set(),
        counts: new Map(),
        surface: new Map(),
        count: 0,
        lastAskedAt: q.askedAt,
      };
      groups.push(group);
    }
    group.count++;
    group.users.add(q.userId);
    if (q.askedAt > group.lastAskedAt) group.lastAskedAt = q.askedAt;
    const folded = words(q.text).join(" ");
    if (!group.seen.has(folded)) {
      group.seen.add(folded);
      group.texts.push(q.text.trim());
    }
    for (const [word, form] of forms) {
      group.counts.set(word, (group.counts.get(word) ?? 0) + 1);
      if (!group.surface.has(word)) group.surface.set(word, form);
    }
  }
  return groups
    .map((g) => ({
      keywords: [...g.counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 3)
        .map(([word]) => g.surface.get(word) ?? word),
      examples: g.texts.slice(0, 3),
      count: g.count,
      askers: g.users.size,
      lastAskedAt: g.lastAskedAt,
    }))
    .sort((a, b) => b.count - a.count || b.lastAskedAt.getTime() - a.lastAskedAt.getTime());
}
