import { DocumentError } from "../errors.ts";
import { assertDeclaredType, bytesSource, sniffType } from "../sniff.ts";
import type { DocumentType, ExtractedDocument } from "../types.ts";
import { extractDocx } from "./docx.ts";
import { extractPdf } from "./pdf.ts";
import { extractPptx } from "./pptx.ts";
import { extractText } from "./text.ts";

/**
 * Extracts a document's text per page after checking that its bytes are what was declared. Throws
 * `DocumentError` with a readable reason for encrypted, corrupt, mismatched or textless files.
 */
export async function extractDocument(bytes: Uint8Array, declared: DocumentType): Promise<ExtractedDocument> {
  assertDeclaredType(declared, await sniffType(bytesSource(bytes)));
  const extracted = await extractByType(bytes, declared);
  if (!extracted.pages.some((p) => p.blocks.length > 0)) {
    throw new DocumentError(
      "no_text",
      declared === "pdf"
        ? "This PDF has no extractable text (it may be scanned images); upload a PDF with a text layer"
        : "The document contains no text",
    );
  }
  return extracted;
}

function extractByType(bytes: Uint8Array, type: DocumentType): Promise<ExtractedDocument> {
  switch (type) {
    case "pdf":
      return extractPdf(bytes);
    case "docx":
      return extractDocx(bytes);
    case "pptx":
      return extractPptx(bytes);
    case "txt":
    case "md":
      return Promise.resolve(extractText(bytes, type));
  }
}

/** The plain text of a page, blocks separated by blank lines. */
export function pageText(page: ExtractedDocument["pages"][number]): string {
  return page.blocks.map((b) => b.text).join("\n\n");
}
