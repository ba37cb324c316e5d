/**
 * Limits on what one document may cost to process, checked before the work they bound is done: the zip directory of
 * DOCX/PPTX before anything is inflated, the page and slide counts before pages are read, the extracted characters
 * while text is gathered, the chunks before anything is embedded. A document over a limit ends `failed` with a
 * reason naming the limit; it is never retried (the same file fails the same way).
 */
import { DocumentError } from "./errors.ts";

/** The limits of one extraction; every field has a documented default (`DEFAULT_DOCUMENT_LIMITS`). */
export interface DocumentLimits {
  /** Sum of the inflated sizes of all entries of a DOCX/PPTX, as its zip directory declares them. */
  maxInflatedBytes: number;
  /** Inflated size of any one entry (one XML part), so a single huge part cannot be parsed. */
  maxEntryBytes: number;
  /** Inflated ÷ compressed size of an entry; checked for entries inflating past `ratioMinBytes`. */
  maxCompressionRatio: number;
  /** Entries below this inflated size are not held to the ratio (tiny XML parts compress very well). */
  ratioMinBytes: number;
  /** Entries in a DOCX/PPTX zip directory. */
  maxZipEntries: number;
  /** Pages of a PDF. */
  maxPages: number;
  /** Slides of a PPTX. */
  maxSlides: number;
  /** Characters of text extracted from one document. */
  maxChars: number;
  /** Chunks one document may be cut into (each is embedded and stored). */
  maxChunks: number;
}

/** The defaults: generous for real course material (a 1,000-page textbook fits), far below what stalls a worker. */
export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = {
  maxInflatedBytes: 256 * 1024 * 1024,
  maxEntryBytes: 32 * 1024 * 1024,
  maxCompressionRatio: 100,
  ratioMinBytes: 1024 * 1024,
  maxZipEntries: 10_000,
  maxPages: 2_000,
  maxSlides: 1_000,
  maxChars: 5_000_000,
  maxChunks: 10_000,
};

/** The `too_much_text` failure of a document past `maxChars`. */
export function tooMuchText(maxChars: number): DocumentError {
  return new DocumentError(
    "too_much_text",
    `The document holds more than ${maxChars} characters of text; split it into smaller files`,
  );
}
