import { DocumentError } from "../errors.ts";
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits, tooMuchText } from "../limits.ts";
import { assertDeclaredType, bytesSource, sniffType } from "../sniff.ts";
import type { DocumentType, ExtractedDocument } from "../types.ts";
import { extractDocx } from "./docx.ts";
import { extractPdf } from "./pdf.ts";
import { extractPptx } from "./pptx.ts";
import { extractText } from "./text.ts";
import { checkZipLimits } from "./zip_limits.ts";

/** How far extraction has come: pages (PDF pages, slides) read of the document's total. */
export interface ExtractionProgress {
  pagesDone: number;
  pagesTotal: number;
}

/** Limits and a progress callback for one extraction. */
export interface ExtractOptions {
  /** Defaults to `DEFAULT_DOCUMENT_LIMITS`. */
  limits?: DocumentLimits;
  onProgress?: (progress: ExtractionProgress) => void;
}

/**
 * Extracts a document's text per page after checking that its bytes are what was declared and that they stay
 * within the limits. Throws `DocumentError` with a readable reason for encrypted, corrupt, mismatched, textless
 * or over-limit files.
 */
export async function extractDocument(
  bytes: Uint8Array,
  declared: DocumentType,
  options: ExtractOptions = {},
): Promise<ExtractedDocument> {
  const limits = options.limits ?? DEFAULT_DOCUMENT_LIMITS;
  assertDeclaredType(declared, await sniffType(bytesSource(bytes)));
  const extracted = await extractByType(bytes, declared, limits, options.onProgress);
  if (!extracted.pages.some((p) => p.blocks.length > 0)) {
    throw new DocumentError(
      "no_text",
      declared === "pdf"
        ? "This PDF has no extractable text (it may be scanned images); upload a PDF with a text layer"
        : "The document contains no text",
    );
  }
  const chars = extracted.pages.reduce((n, p) => n + p.blocks.reduce((m, b) => m + b.text.length, 0), 0);
  if (chars > limits.maxChars) throw tooMuchText(limits.maxChars);
  return extracted;
}

async function extractByType(
  bytes: Uint8Array,
  type: DocumentType,
  limits: DocumentLimits,
  onProgress?: (progress: ExtractionProgress) => void,
): Promise<ExtractedDocument> {
  switch (type) {
    case "pdf":
      return extractPdf(bytes, {
        maxPages: limits.maxPages,
        maxChars: limits.maxChars,
        onPage: onProgress && ((pagesDone, pagesTotal) => onProgress({ pagesDone, pagesTotal })),
      });
    case "docx":
      await checkZipLimits(bytes, limits, "DOCX");
      return extractDocx(bytes);
    case "pptx":
      await checkZipLimits(bytes, limits, "PPTX");
      return extractPptx(bytes, {
        maxSlides: limits.maxSlides,
        onSlide: onProgress && ((pagesDone, pagesTotal) => onProgress({ pagesDone, pagesTotal })),
      });
    case "txt":
    case "md":
      if (bytes.length > limits.maxChars * 4) throw tooMuchText(limits.maxChars);
      return Promise.resolve(extractText(bytes, type));
  }
}

/** The plain text of a page, blocks separated by blank lines. */
export function pageText(page: ExtractedDocument["pages"][number]): string {
  return page.blocks.map((b) => b.text).join("\n\n");
}
