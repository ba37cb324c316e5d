/** Document processing: what the ingestion worker calls between storage and the chunk writer. */
import { chunkDocument, type ChunkOptions } from "./chunker.ts";
import { extractDocument, type ExtractionProgress } from "./extract/mod.ts";
import { DocumentError } from "./errors.ts";
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from "./limits.ts";
import type { Chunk, DocumentType, ExtractedDocument } from "./types.ts";

export { DocumentError, type DocumentFailure } from "./errors.ts";
export type { ExtractionProgress } from "./extract/mod.ts";
export { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from "./limits.ts";
export type { Chunk, DocumentType, ExtractedDocument } from "./types.ts";

/** A processed document: its pages and its chunks. */
export interface ProcessedDocument {
  extracted: ExtractedDocument;
  chunks: Chunk[];
  pageCount: number;
}

/** Chunking options, limits and a progress callback for one document. */
export interface ProcessOptions extends Partial<ChunkOptions> {
  limits?: DocumentLimits;
  onProgress?: (progress: ExtractionProgress) => void;
}

/**
 * Extracts and chunks a document's bytes within the limits. Throws `DocumentError` (encrypted, corrupt, no_text,
 * type_mismatch, or a limit's reason) with a message meant for the uploader; anything else is a bug or an
 * infrastructure failure worth retrying.
 */
export async function processDocument(
  bytes: Uint8Array,
  type: DocumentType,
  options: ProcessOptions = {},
): Promise<ProcessedDocument> {
  const { limits = DEFAULT_DOCUMENT_LIMITS, onProgress, ...chunkOptions } = options;
  const extracted = await extractDocument(bytes, type, { limits, onProgress });
  const chunks = chunkDocument(extracted.pages, chunkOptions);
  if (chunks.length > limits.maxChunks) {
    throw new DocumentError(
      "too_many_chunks",
      `The document cuts into ${chunks.length} passages; at most ${limits.maxChunks} are accepted (split it)`,
    );
  }
  return { extracted, chunks, pageCount: extracted.pages.length };
}
