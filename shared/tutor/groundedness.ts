import { coverage, phraseOverlap, prepare, type PreparedText } from "./support.ts";
import { arabicShare, normalizeText } from "../text/fold.ts";
import { citationMarkers, segments, withoutMarkers } from "../text/sentences.ts";
import { contentTerms } from "../text/terms.ts";
import type { RetrievedChunk } from "./types.ts";

/** The verdict on one sentence of an answer. */
export interface SentenceVerdict {
  text: string;
  /** "claim": checked against chunks; "framing": questions, intros and known framing lines, not checked. */
  kind: "claim" | "framing";
  supported: boolean;
  /** Citation numbers that support it (including one added when an uncited sentence matched a chunk). */
  citations: number[];
  score: number;
  /** Judged across languages (sentence and cited chunk in different scripts): only numbers and names were checked. */
  crossLingual?: boolean;
}

/** Options of the groundedness check. */
export interface GroundednessOptions {
  /** "drop" removes unsupported sentences from the text; "flag" keeps them and marks them. */
  mode?: "drop" | "flag";
  /** Lines the pipeline itself added (prefaces, guiding questions): never checked. */
  framing?: string[];
  /** Minimum support; defaults per script (Arabic morphology defeats light stemming more often). */
  threshold?: { latin: number; arabic: number };
}

/** Default support thresholds: share of a sentence's content terms found in its cited chunk. */
export const DEFAULT_GROUNDEDNESS_THRESHOLD = { latin: 0.6, arabic: 0.5 };

/** Marker appended to unsupported sentences in "flag" mode. */
export const UNSUPPORTED_MARK = " [unsupported]";

const framingSets = new WeakMap<string[], Set<string>>();

/** The framing lines as normalised sentences, computed once per list. */
function framingSet(lines: string[] = []): Set<string> {
  let set = framingSets.get(lines);
  if (!set) {
    set = new Set(lines.flatMap(segments).map((f) => normalizeText(withoutMarkers(f).trim())));
    framingSets.set(lines, set);
  }
  return set;
}

/** Checks a single sentence against the chunks (chunk i is citation i + 1). */
export function judgeSentence(
  sentence: string,
  chunks: PreparedText[],
  options: GroundednessOptions = {},
): SentenceVerdict {
  const text = sentence.trim();
  const bare = withoutMarkers(text);
  const framing = framingSet(options.framing);
  const terms = contentTerms(bare);
  const isQuestion = /[?؟]["”»]?$/.test(bare);
  const isIntro = /[:：]$/.test(bare);
  if (
    framing.has(normalizeText(text)) || framing.has(normalizeText(bare)) || isQuestion || isIntro ||
    terms.length < 2
  ) {
    return { text, kind: "framing", supported: true, citations: citationMarkers(text), score: 1 };
  }
  const { arabic, latin } = arabicShare(bare);
  const limits = options.threshold ?? DEFAULT_GROUNDEDNESS_THRESHOLD;
  const threshold = arabic > latin ? limits.arabic : limits.latin;
  const score = (i: number) => 0.85 * coverage(terms, chunks[i]) + 0.15 * phraseOverlap(terms, chunks[i]);
  const cited = citationMarkers(text).filter((n) => n >= 1 && n <= chunks.length);
  const sentenceArabic = arabic > latin;
  if (cited.length > 0 && cited.every((n) => chunks[n - 1].arabic !== sentenceArabic)) {
    return crossLingualVerdict(text, bare, cited, chunks);
  }
  if (cited.length > 0) {
    const best = Math.max(...cited.map((n) => score(n - 1)));
    return { text, kind: "claim", supported: best >= threshold, citations: cited, score: best };
  }
  // Uncited: supported only if some chunk carries it, which then becomes its citation.
  let bestIndex = -1;
  let bestScore = 0;
  chunks.forEach((_, i) => {
    const s = score(i);
    if (s > bestScore) [bestIndex, bestScore] = [i, s];
  });
  const supported = bestScore >= threshold;
  return { text, kind: "claim", supported, citations: supported ? [bestIndex + 1] : [], score: bestScore };
}

/**
 * An Arabic sentence citing English material (or the reverse) shares no words with it, so word overlap cannot judge
 * it. What can be checked is checked: every number and every word in the chunk's script (names, terms kept in the
 * original) must appear in a cited chunk. A sentence with nothing checkable passes on its citation alone; this is the
 * weak spot of lexical groundedness (docs/tutor.md).
 */
function crossLingualVerdict(
  text: string,
  bare: string,
  cited: number[],
  chunks: PreparedText[],
): SentenceVerdict {
  const checkable = contentTerms(bare).filter((t) =>
    /\d/.test(t) || /^[a-z0-9]+$/.test(t) !== chunks[cited[0] - 1].arabic
  );
  if (checkable.length === 0) {
    return { text, kind: "claim", supported: true, citations: cited, score: 0, crossLingual: true };
  }
  const score = Math.max(...cited.map((n) => coverage(checkable, chunks[n - 1])));
  return { text, kind: "claim", supported: score >= 0.99, citations: cited, score, crossLingual: true };
}

/** The checked answer: the text to show, each sentence's verdict, and what was dropped. */
export interface GroundednessReport {
  text: string;
  verdicts: SentenceVerdict[];
  unsupported: string[];
  /** Claims that survived the check. */
  supportedClaims: number;
}

/**
 * Every sentence of an answer must be supported by a chunk it cites (or, uncited, by some retrieved chunk, which is
 * then cited): lexical coverage of its normalised content terms plus a bigram signal. Unsupported sentences are
 * dropped (default) or flagged.
 */
export function checkGroundedness(
  answer: string,
  chunks: RetrievedChunk[],
  options: GroundednessOptions = {},
): GroundednessReport {
  const prepared = chunks.map((c) => prepare(`${c.documentTitle}. ${c.text}`));
  const verdicts: SentenceVerdict[] = [];
  const quotes = new QuotedCitations();
  let text = "";
  for (const segment of segments(answer)) {
    if (segment.trim().length === 0) {
      text += segment;
      continue;
    }
    const verdict = judgeSentence(segment, prepared, options);
    verdicts.push(verdict);
    text += quotes.render(segment, verdict, options.mode ?? "drop");
  }
  text += quotes.flush();
  return {
    text: text.trim(),
    verdicts,
    unsupported: verdicts.filter((v) => !v.supported).map((v) => v.text),
    supportedClaims: verdicts.filter((v) => v.kind === "claim" && v.supported).length,
  };
}

/** How one checked segment appears in the final text. */
export function renderSegment(segment: string, verdict: SentenceVerdict, mode: "drop" | "flag"): string {
  if (verdict.supported) {
    const had = citationMarkers(segment).length > 0;
    if (verdict.kind === "claim" && !had && verdict.citations.length > 0) {
      // Put the found citation where a reader expects it: after the sentence, before its trailing space.
      const trailing = segment.match(/\s*$/)![0];
      return `${segment.trimEnd()} [${verdict.citations[0]}]${trailing}`;
    }
    return segment;
  }
  if (mode === "drop") return "";
  const trailing = segment.match(/\s*$/)![0];
  return `${segment.trimEnd()}${UNSUPPORTED_MARK}${trailing}`;
}

/**
 * Renders checked segments so that a quoted passage is cited once, after its closing quotation mark: an uncited
 * sentence inside a quotation that goes on (“A. B.” [1]) is still checked, but the citation it was found under waits
 * for the quotation's end instead of landing inside it (“A. [1] B.” [1]). If the passage's end cites another chunk,
 * or is dropped, the waiting citation is added there; if the quotation never closes, `flush()` adds it.
 */
export class QuotedCitations {
  #open = 0;
  #pending: number[] = [];

  /** `renderSegment`, aware of the quotation the segment is in. */
  render(segment: string, verdict: SentenceVerdict, mode: "drop" | "flag"): string {
    const opens = (segment.match(/[“«]/g) ?? []).length;
    const closes = (segment.match(/[”»]/g) ?? []).length;
    this.#open = Math.max(0, this.#open + opens - closes);
    const found = verdict.supported && verdict.kind === "claim" && citationMarkers(segment).length === 0 &&
      verdict.citations.length > 0;
    if (found && this.#open > 0) {
      if (!this.#pending.includes(verdict.citations[0])) this.#pending.push(verdict.citations[0]);
      return segment;
    }
    const rendered = renderSegment(segment, verdict, mode);
    if (this.#open > 0 || this.#pending.length === 0) return rendered;
    const shown = citationMarkers(rendered);
    const missing = this.#pending.filter((n) => !shown.includes(n));
    this.#pending = [];
    if (missing.length === 0) return rendered;
    const trailing = rendered.match(/\s*$/)![0];
    return `${rendered.trimEnd()}${missing.map((n) => ` [${n}]`).join("")}${trailing || " "}`;
  }

  /** Citations still waiting for a quotation that never closed. */
  flush(): string {
    const missing = this.#pending;
    this.#pending = [];
    return missing.map((n) => ` [${n}]`).join("");
  }
}
