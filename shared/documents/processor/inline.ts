/**
 * Document processing on the caller's own event loop: the same extraction and limits as the child processes, but
 * a runaway parse is not stopped (the wall-time limit only abandons its result) and blocks everything else this
 * process serves. For tests and tools; the tiers run `process.ts` unless `DOCUMENT_ISOLATION=inline`.
 */
import type { Embedder } from "../../rag/embedder/interface.ts";
import type { ChunkOptions } from "../chunker.ts";
import { DocumentError } from "../errors.ts";
import type { DocumentLimits } from "../limits.ts";
import { processDocument } from "../mod.ts";
import type { DocumentProcessor } from "./interface.ts";

/** An in-process document processor with the given limits and embedder. */
export function createInlineProcessor(options: {
  limits: DocumentLimits;
  chunkOptions: ChunkOptions;
  embedder: Embedder;
  timeoutMs: number;
}): DocumentProcessor {
  return {
    kind: "inline",
    embedder: options.embedder,
    async process(bytes, type, { onProgress } = {}) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new DocumentError(
                "timeout",
                `Reading this document took longer than ${
                  Math.round(options.timeoutMs / 1000)
                } s and was stopped; ` +
                  "split it into smaller files",
              ),
            ),
          options.timeoutMs,
        );
      });
      try {
        const result = await Promise.race([
          processDocument(bytes, type, { ...options.chunkOptions, limits: options.limits, onProgress }),
          timeout,
        ]);
        return {
          chunks: result.chunks,
          pageCount: result.pageCount,
          ...(result.extracted.title ? { title: result.extracted.title } : {}),
        };
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => Promise.resolve(),
  };
}
