/** Document processing: what the ingestion worker calls between storage and the chunk writer. */
import { chunkDocument, type ChunkOptions } from "./chunker.ts";
import { extractDocument } from "./extract/mod.ts";
import type { Chunk, DocumentType, ExtractedDocument } from "./types.ts";

export { DocumentError, type DocumentFailure } from "./errors.ts";
export type { Chunk, DocumentType, ExtractedDocument } from "./types.ts";

/** A processed document: its pages and its chunks. */
export interface ProcessedDocument {
  extracted: ExtractedDocument;
  chunks: Chunk[];
  pageCount: number;
}

/**
 * Extracts and chunks a document's bytes. Throws `DocumentError` (encrypted, corrupt, no_text, type_mismatch)
 * with a message meant for the uploader; anything else is a bug or an infrastructure failure worth retrying.
 */
export async function processDocument(
  bytes: Uint8Array,
  type: DocumentType,
  options: Partial<ChunkOptions> = {},
): Promise<ProcessedDocument> {
  const extracted = await extractDocument(bytes, type);
  return { extracted, chunks: chunkDocument(extracted.pages, options), pageCount: extracted.pages.length };
}
