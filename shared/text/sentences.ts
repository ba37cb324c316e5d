/**
 * Sentence splitting for English and Arabic: whole texts (`splitSentences`, course material and answers) and
 * growing ones (`completeSegmentLength`, the groundedness gate over a streamed answer), on one rule of what does not
 * end a sentence (`continuesSentence`); citation markers ("[2]") stay with the sentence they follow.
 */

/**
 * Splits a text into sentences, keeping citation markers such as "[2]" with the sentence they follow: "X is Y. [2]"
 * and "X is Y [2]." both stay one sentence.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  const pattern = /[^.!?؟\n]+(?:[.!?؟]+|\n|$)(?:\s*\[\d+\](?:\s*\[\d+\])*[.]?)?/gu;
  for (const match of text.matchAll(pattern)) {
    const sentence = match[0].trim();
    if (sentence.length > 0) sentences.push(sentence);
  }
  return mergeShortFragments(sentences);
}

function mergeShortFragments(sentences: string[]): string[] {
  // Decimal numbers and initials ("3.5", "J. Smith") split badly; glue fragments without a letter run back on.
  const merged: string[] = [];
  for (const sentence of sentences) {
    const previous = merged.at(-1);
    if (previous !== undefined && /\d[.]$/.test(previous) && /^\d/.test(sentence)) {
      merged[merged.length - 1] = previous + sentence;
    } else if (previous !== undefined && continuesSentence(previous, sentence)) {
      merged[merged.length - 1] = `${previous} ${sentence}`;
    } else merged.push(sentence);
  }
  return merged;
}

const ABBREVIATION =
  /(?:^|[\s(])(?:\p{Lu}|mr|mrs|ms|dr|prof|st|jr|sr|vs|no|fig|eq|e\.g|i\.e|etc|approx|ca|u\.s)\.$/iu;

/**
 * Whether a fragment carries on the one before: after an initial or abbreviation ("M. Theo Kearney", "Y. pestis",
 * "Dr. Smith"), or when it starts in lower case (behind any opening quote or bracket), the full stop or line break
 * did not end a sentence.
 */
export function continuesSentence(previous: string, next: string): boolean {
  if (/\[\d+\]\.?$/.test(previous)) return false;
  // A list number ("1.") starts its item rather than ending anything.
  if (/^\(?(\d{1,2}|[a-z])[.)]$/i.test(previous)) return true;
  // A lower-case start, also behind an opening quote or bracket ("…by simply" / "“eyeballing” the graph"), carries on.
  return ABBREVIATION.test(previous) || /^[(“"'‘«\[]*\p{Ll}/u.test(next);
}

/** Cuts a text into sentence segments that concatenate back to it, citation markers staying with their sentence. */
export function segments(text: string): string[] {
  const out: string[] = [];
  let rest = text;
  for (;;) {
    const cut = completeSegmentLength(rest);
    if (cut === null) break;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0) out.push(rest);
  return out;
}

/** Length of the first complete sentence segment of a growing text, or null while it may still grow. */
export function completeSegmentLength(text: string): number | null {
  const boundary = /[.!?؟](?:\s*\[\d+\])*[.]?[ \t]*\n+|[.!?؟](?:\s*\[\d+\])*[.]?\s+(?=[^\s[])|\n+(?=[^\n])/gu;
  for (const match of text.matchAll(boundary)) {
    const end = match.index + match[0].length;
    // A full stop after an initial or abbreviation ("William E. Simon") does not end the sentence.
    const plainStop = match[0].startsWith(".") && !match[0].includes("\n") && !match[0].includes("[");
    if (plainStop && continuesSentence(text.slice(0, match.index + 1), text.slice(end))) continue;
    return end;
  }
  return null;
}

/** The citation numbers ("[1]", "[3]") a sentence carries. */
export function citationMarkers(sentence: string): number[] {
  return [...sentence.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
}

/** A sentence without its citation markers. */
export function withoutMarkers(sentence: string): string {
  return sentence.replace(/\s*\[\d+\]/g, "").trim();
}
