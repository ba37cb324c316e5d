/**
 * Groups students' questions that ask about the same thing, so faculty see each gap in their material once with
 * how often it was asked. Questions are reduced to normalised keywords (case, Arabic diacritics and letter
 * variants folded, stop words and the Arabic article dropped, a light English plural strip) and joined greedily:
 * a question joins the first group whose keywords cover at least half of the smaller of the two keyword sets.
 * No model is involved, so the grouping is cheap, deterministic and explainable ("shares: photosynthesis, light").
 */
import { foldLetters } from "../../shared/text/fold.ts";

const STOP_WORDS = new Set([
  // English
  "the",
  "and",
  "for",
  "are",
  "but",
  "not",
  "you",
  "your",
  "with",
  "what",
  "when",
  "where",
  "which",
  "who",
  "whom",
  "why",
  "how",
  "does",
  "did",
  "can",
  "could",
  "would",
  "should",
  "will",
  "shall",
  "about",
  "from",
  "into",
  "this",
  "that",
  "these",
  "those",
  "there",
  "their",
  "they",
  "them",
  "then",
  "than",
  "have",
  "has",
  "had",
  "was",
  "were",
  "been",
  "being",
  "its",
  "our",
  "out",
  "any",
  "all",
  "some",
  "please",
  "explain",
  "tell",
  "mean",
  "means",
  "between",
  "also",
  "just",
  "like",
  "much",
  "many",
  "more",
  "most",
  "other",
  "only",
  "same",
  "such",
  "very",
  "is",
  "in",
  "of",
  "to",
  "a",
  "an",
  "on",
  "at",
  "by",
  "be",
  "it",
  "or",
  "as",
  "do",
  "we",
  "me",
  "my",
  // Arabic (already folded: no diacritics, alef and yeh variants unified)
  "ما",
  "ماذا",
  "من",
  "في",
  "على",
  "الى",
  "عن",
  "هل",
  "كيف",
  "لماذا",
  "متي",
  "اين",
  "اي",
  "هو",
  "هي",
  "هذا",
  "هذه",
  "ذلك",
  "تلك",
  "التي",
  "الذي",
  "الذين",
  "مع",
  "او",
  "ثم",
  "قد",
  "لقد",
  "كان",
  "كانت",
  "يكون",
  "تكون",
  "بين",
  "عند",
  "كل",
  "بعض",
  "غير",
  "لا",
  "لم",
  "لن",
  "ان",
  "انا",
  "نحن",
  "انت",
  "هم",
  "اشرح",
  "معني",
]);

/** Folds case, Arabic diacritics and letter variants so spellings of one word compare equal. */
export function foldText(text: string): string {
  return foldLetters(text.normalize("NFKC").toLowerCase());
}

function stem(word: string): string {
  if (/^[\u0600-\u06FF]+$/.test(word)) {
    // The article (with its prepositions) only when a stem of three letters remains.
    const bare = word.replace(/^(وال|بال|كال|فال|لل|ال)/, "");
    return bare.length >= 3 ? bare : word;
  }
  if (word.length > 4 && word.endsWith("ies")) return word.slice(0, -3) + "y";
  if (word.length > 3 && word.endsWith("s") && !word.endsWith("ss") && !word.endsWith("us")) {
    return word.slice(0, -1);
  }
  return word;
}

/** The question's keywords: folded, stemmed, without stop words and tokens shorter than three characters. */
export function keywordsOf(question: string): string[] {
  return [...keywordForms(question).keys()];
}

/** Each keyword of the question with the folded word it came from (labels show words, not stems). */
function keywordForms(question: string): Map<string, string> {
  const words = foldText(question).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const out = new Map<string, string>();
  for (const word of words) {
    if (STOP_WORDS.has(word)) continue;
    const stemmed = stem(word);
    if (stemmed.length < 3 || STOP_WORDS.has(stemmed) || out.has(stemmed)) continue;
    out.set(stemmed, word);
  }
  return out;
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
    const words = [...forms.keys()];
    const key = words.length > 0 ? new Set(words) : new Set([foldText(q.text).trim()]);
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
    const folded = foldText(q.text).split(/[^\p{L}\p{N}]+/u).filter(Boolean).join(" ");
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
