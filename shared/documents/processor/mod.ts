/** Picks where documents are processed: child processes (default) or inline, from `DOCUMENT_ISOLATION`. */
import type { Embedder } from "../../rag/embedder/interface.ts";
import type { Logger } from "../../logger.ts";
import type { ChunkOptions } from "../chunker.ts";
import { documentLimitsFrom, type DocumentsEnv } from "../env.ts";
import { createInlineProcessor } from "./inline.ts";
import type { DocumentProcessor } from "./interface.ts";
import { ProcessPool } from "./process.ts";

export { ProcessorClosedError, ProcessorCrashedError } from "./interface.ts";
export type { DocumentProcessor, ProcessorResult } from "./interface.ts";

/**
 * The configured document processor; does no I/O (children start on the first request). `offloadEmbedding` moves
 * the embedder's work into the children too: true for the offline model, which computes on the CPU.
 */
export function createDocumentProcessor(
  env: DocumentsEnv,
  options: { chunkOptions: ChunkOptions; embedder: Embedder; offloadEmbedding: boolean; logger?: Logger },
): DocumentProcessor {
  const limits = documentLimitsFrom(env);
  if (env.DOCUMENT_ISOLATION === "inline") {
    return createInlineProcessor({
      limits,
      chunkOptions: options.chunkOptions,
      embedder: options.embedder,
      timeoutMs: env.EXTRACTION_TIMEOUT_MS,
    });
  }
  return new ProcessPool({
    size: env.EXTRACTION_WORKERS,
    timeoutMs: env.EXTRACTION_TIMEOUT_MS,
    memoryMb: env.EXTRACTION_MEMORY_MB,
    nice: env.EXTRACTION_NICE,
    limits,
    chunkOptions: options.chunkOptions,
    embedder: options.embedder,
    offloadEmbedding: options.offloadEmbedding,
    logger: options.logger,
  });
}
