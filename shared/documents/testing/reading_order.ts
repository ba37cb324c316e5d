/** Test and benchmark helper: how many reference lines a document's chunks carry intact, in reading order. */

/** Collapses what may legitimately differ between a reference line and extracted text: spaces and kashida. */
export function comparable(text: string): string {
  return text.normalize("NFC").replaceAll("\u0640", "").replace(/\s+/g, " ").trim();
}

/** The reading-order score: the share of `references` found intact inside one of `chunks`, and those missing. */
export function readingOrderScore(
  references: string[],
  chunks: string[],
): { found: number; total: number; missing: string[] } {
  const texts = chunks.map(comparable);
  const missing = references.filter((r) => !texts.some((t) => t.includes(comparable(r))));
  return { found: references.length - missing.length, total: references.length, missing };
}
