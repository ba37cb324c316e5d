import {
  answerTypeOf,
  isCutSentence,
  LEANS_BACK,
  looksLikeHeading,
  offersAnswerType,
} from "./answer_type.ts";
import { arabicShare } from "../text/fold.ts";
import { splitSentences } from "../text/sentences.ts";
import { bigrams, contentTerms } from "../text/terms.ts";
import type { RetrievedChunk } from "./types.ts";

/** A passage prepared for overlap measures: its terms as a set, and its term bigrams. */
export interface PreparedText {
  terms: Set<string>;
  bigrams: Set<string>;
  /** Whether most letters are Arabic: overlap is only meaningful between texts of the same script. */
  arabic: boolean;
}

// The same chunks come back turn after turn; preparing their sentences once saves most of a turn's work.
const PREPARED_CACHE_LIMIT = 20_000;
const preparedCache = new Map<string, PreparedText>();

/** Prepares a text for `coverage`/`phraseOverlap` (memoised: the result must not be mutated). */
export function prepare(text: string): PreparedText {
  const hit = preparedCache.get(text);
  if (hit) return hit;
  const terms = contentTerms(text);
  const share = arabicShare(text);
  const prepared = {
    terms: new Set([...terms, ...terms.map(withoutProclitic).filter((t) => t !== null)]),
    bigrams: new Set(bigrams(terms)),
    arabic: share.arabic > share.latin,
  };
  if (preparedCache.size >= PREPARED_CACHE_LIMIT) preparedCache.delete(preparedCache.keys().next().value!);
  preparedCache.set(text, prepared);
  return prepared;
}

/**
 * Share of `terms` found in `passage` (each distinct term counts once). A term that shares a long prefix with a passage
 * term ("defense"/"defensive", Arabic broken stems) counts half: the light stemmers miss such pairs. With `typos`, so
 * does a Latin or Arabic term of five letters or more one edit away from a passage term ("Geegen"/"Gegen",
 * "framd"/"fram"): students misspell; the material does not. With `typos` too, an Arabic term of the same root as a
 * passage term counts half (`hasRootMate`). The groundedness gate leaves both off.
 */
export function coverage(
  terms: string[],
  passage: PreparedText | PreparedText[],
  weights?: Map<string, number>,
  options: { typos?: boolean } = {},
): number {
  const passages = Array.isArray(passage) ? passage : [passage];
  const distinct = [...new Set(terms)];
  if (distinct.length === 0) return 0;
  let found = 0;
  let total = 0;
  for (const term of distinct) {
    const weight = weights?.get(term) ?? 1;
    total += weight;
    const bare = withoutProclitic(term);
    if (passages.some((p) => p.terms.has(term) || (bare !== null && p.terms.has(bare)))) found += weight;
    else if (passages.some((p) => hasPrefixMate(term, p.terms))) found += 0.5 * weight;
    else if (options.typos && passages.some((p) => hasTypoMate(term, p.terms))) found += 0.5 * weight;
    else if (options.typos && passages.some((p) => hasRootMate(term, p.terms))) found += 0.5 * weight;
  }
  return found / total;
}

/**
 * An Arabic term without a one-letter proclitic (ب "with", ل "for", ك "like", ف "so"): "باختبار"/"اختبار",
 * "لكاليفورني"/"كاليفورني". The stemmer leaves these alone because many words start with those letters ("فريق",
 * "لبنان"), so the stripped form is only an extra term a passage also offers, never a replacement.
 */
export function withoutProclitic(term: string): string | null {
  return term.length >= 5 && /^[بلكف][\u0621-\u064A]/.test(term) ? term.slice(1) : null;
}

/**
 * Whether the pool holds a term one edit (a letter replaced, added, dropped, or two swapped) from `term`, a Latin or
 * Arabic term of five letters or more. Arabic questions misspell and transliterate names too ("الاطاليين"/"الإيطاليين",
 * "الأوكسجين"/"الأكسجين", "إيسك"/"إيس"); shorter Arabic stems are left alone, one letter changes the word.
 */
export function hasTypoMate(term: string, pool: Set<string>): boolean {
  if (term.length < 5 || !/^([a-z]+|[\u0621-\u064A]+)$/.test(term)) return false;
  for (const candidate of pool) {
    if (Math.abs(candidate.length - term.length) <= 1 && oneEditApart(term, candidate)) return true;
  }
  return false;
}

/**
 * Whether the pool holds an Arabic term of the same root as `term`, by a crude root: the stem without leading
 * augment letters (ا ت م ي ن س, while three letters remain after them) and without long vowels after its first
 * letter, which must keep three letters ("يلقب"/"الملقب" → لقب, "المطرية"/"مطيرة" → مطر, "تدريس"/"مدرسة" → درس).
 * Arabic derives verbs, nouns and participles from one root; the light stemmer only takes off affixes. Students
 * ask "who holds the title" where the material says "the title-holder": such a term counts half, as a prefix mate.
 */
export function hasRootMate(term: string, pool: Set<string>): boolean {
  if (!ARABIC_TERM.test(term)) return false;
  const root = rootOf(term);
  if (root.length < 3) return false;
  for (const candidate of pool) if (ARABIC_TERM.test(candidate) && rootOf(candidate) === root) return true;
  return false;
}

const ARABIC_TERM = /^[\u0621-\u064A]{3,}$/;
const roots = new Map<string, string>();

function rootOf(term: string): string {
  let root = roots.get(term);
  if (root === undefined) {
    const devowel = (stem: string) => stem[0] + stem.slice(1).replace(/[اوىي]/g, "");
    let stem = term;
    while (/^[اتمينس]/.test(stem) && devowel(stem.slice(1)).length >= 3) stem = stem.slice(1);
    root = devowel(stem);
    if (roots.size >= 50_000) roots.clear();
    roots.set(term, root);
  }
  return root;
}

function oneEditApart(a: string, b: string): boolean {
  if (a === b) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    return a.slice(i + 1) === b.slice(i + 1) ||
      (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

function hasPrefixMate(term: string, pool: Set<string>): boolean {
  // Arabic stems are short (three-letter roots), so a shorter shared prefix already says a lot.
  const arabic = /[\u0621-\u064A]/.test(term);
  if (term.length < (arabic ? 5 : 5)) return false;
  const prefix = term.slice(0, Math.max(4, Math.floor(term.length * 0.7)));
  for (const candidate of pool) if (candidate.startsWith(prefix)) return true;
  return false;
}

/** Share of a text's term bigrams found in the passage: rewards quoting a phrase over scattering its words. */
export function phraseOverlap(terms: string[], passage: PreparedText): number {
  const pairs = bigrams(terms);
  if (pairs.length === 0) return 0;
  return pairs.filter((p) => passage.bigrams.has(p)).length / pairs.length;
}

// The question may misspell a word; the material is taken as written.
const TYPOS = { typos: true };

/** How much an answer cue moves a sentence in the ranking (chosen on `eval:tutor`). */
export const ANSWER_CUE_BONUS = 0.15;

/** One sentence of a retrieved chunk, scored against the question. */
export interface SentenceCandidate {
  chunkIndex: number;
  sentenceIndex: number;
  sentence: string;
  /** Question-term coverage of the sentence with its neighbours (the answer often sits next to the topic). */
  support: number;
  /**
   * Support adjusted by answer cues, which orders the candidates: a sentence offering the kind of answer asked for
   * (a number for "how many", a name for "who") gains; one that only repeats the question's words loses.
   */
  rank: number;
  /** Whether the sentence offers the kind of answer the question asks for. */
  offersAnswer: boolean;
  /** A heading or running title, which names a topic without saying anything about it. */
  heading: boolean;
  /** The chunk's last sentence, stopped before its end: quoting it would cut a sentence. */
  cut: boolean;
}

// Words that frame a question rather than name its topic ("What term refers to…", "اذكر أحد…", "ما الشيء الذي…"),
// and Arabic particles the stop list misses (عندما, لهذه, إليها): the material rarely repeats them, so counting them
// sinks answerable questions as much as unanswerable ones.
const QUESTION_FRAME = new Set(
  contentTerms(
    "term terms refer refers referred word words often usually typically example examples say says said mean means " +
      "known describe described considered " +
      "اذكر أذكر أحد لأحد نوع أنواع شيء الشيء الأشياء يمكن عندما لهذه لهذا لهذين إليها إليه إليهم عنها عنه عنهم فيهم " +
      "كي لكي يتم تتم سيتم ستتم بشأن مالذي ماالذي الذى ايّ أيّ أيٌ المصطلح مصطلح يشير تشير " +
      // The kind of answer wanted (year, share, person, name, period, times).
      "عام سنة نسبة شخص اسم ماسم فترة مرة الآخر آخر أخرى جانب " +
      // Question words the stop list misses, fused or with a proclitic (بماذا، لماذا، وماذا، ماهي، أية، لمن، ممن).
      // ماهي/ماهو are left out: dropping them answered more ARCD questions but refused fewer unanswerable ones.
      "بماذا لماذا وماذا ماذا أية أيّة لمن عمن ممن مابين بما يوجد توجد تمت",
  ),
);

/** The question's content terms without its framing words (all of them when nothing else is left). */
export function topicTerms(question: string): string[] {
  const terms = contentTerms(question);
  const topic = terms.filter((t) => !QUESTION_FRAME.has(t));
  return topic.length > 0 ? topic : terms;
}

/**
 * Scores every sentence of the retrieved chunks by how much of the question it (with its neighbour sentences) covers,
 * best first. This, not the retriever's score, decides whether the material answers the question: hybrid-search
 * scores come from rank fusion and say nothing absolute.
 */
export function rankSentences(question: string, chunks: RetrievedChunk[]): SentenceCandidate[] {
  const questionTerms = topicTerms(question);
  if (questionTerms.length === 0) return [];
  const candidates: SentenceCandidate[] = [];
  const weights = specificity(questionTerms, chunks);
  const wanted = answerTypeOf(question);
  const asked = new Set(questionTerms);
  // Across scripts (an Arabic question, English material) words cannot meet, but what both write alike can: the
  // question's Latin-script terms and numbers ("ما هو DNA؟"). Against such a chunk only those count, and only when
  // the question has a Latin-script term at all (numbers alone are too weak a tie).
  const questionArabic = prepare(question).arabic;
  const shared = questionTerms.filter((t) => /^[a-z0-9]+$/.test(t));
  const crossable = shared.some((t) => /^[a-z]/.test(t));
  chunks.forEach((chunk, chunkIndex) => {
    const across = crossable && questionArabic && !prepare(chunk.text).arabic;
    const terms = across ? shared : questionTerms;
    const sentences = splitSentences(chunk.text);
    const prepared = sentences.map(prepare);
    const titleTerms = prepare(chunk.documentTitle.replace(/_/g, " "));
    sentences.forEach((sentence, sentenceIndex) => {
      const window = [titleTerms, ...prepared.slice(Math.max(0, sentenceIndex - 1), sentenceIndex + 2)];
      // The sentence itself must hold part of the question, not only its neighbours.
      const own = coverage(terms, prepared[sentenceIndex], weights, TYPOS);
      const support = own === 0 ? 0 : 0.7 * coverage(terms, window, weights, TYPOS) + 0.3 * own;
      // A sentence that leans on the one before ("He is also…") is quoted with it, so that one's answer counts.
      const offersAnswer = offersAnswerType(sentence, wanted, question) ||
        (sentenceIndex > 0 && LEANS_BACK.test(sentence) &&
          offersAnswerType(sentences[sentenceIndex - 1], wanted, question));
      const novel = [...prepared[sentenceIndex].terms].some((t) => !asked.has(t));
      const heading = looksLikeHeading(sentence);
      const cut = isCutSentence(sentence, sentenceIndex === sentences.length - 1);
      // Headings and cut fragments still count as support (the material covers the topic) but make poor quotes.
      const rank = support + (offersAnswer ? ANSWER_CUE_BONUS : 0) - (novel ? 0 : ANSWER_CUE_BONUS) -
        (heading || cut ? ANSWER_CUE_BONUS : 0);
      candidates.push({ chunkIndex, sentenceIndex, sentence, support, rank, offersAnswer, heading, cut });
    });
  });
  return candidates.sort((a, b) => b.rank - a.rank || b.support - a.support);
}

/**
 * Weight of each question term by how few of the retrieved chunks hold it: the course's topic words appear in every
 * chunk and say little about whether this passage answers; a term found in one chunk says a lot.
 */
function specificity(terms: string[], chunks: RetrievedChunk[]): Map<string, number> {
  const prepared = chunks.map((c) => prepare(c.text));
  const weights = new Map<string, number>();
  for (const term of new Set(terms)) {
    const df = prepared.filter((p) => p.terms.has(term)).length;
    weights.set(term, 1 + Math.log((chunks.length + 1) / (df + 1)));
  }
  return weights;
}
