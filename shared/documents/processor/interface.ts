/**
 * Where a document's bytes become chunks and its chunks become vectors: off the serving event loop (child
 * processes, `process.ts`) or on it (`inline.ts`, for tests and tools). Chosen in `mod.ts`.
 */
import type { Embedder } from "../../rag/embedder/interface.ts";
import type { ExtractionProgress } from "../extract/mod.ts";
import type { Chunk, DocumentType } from "../types.ts";

/** What processing one document yields: its chunks and page count (the pages themselves stay where they were read). */
export interface ProcessorResult {
  chunks: Chunk[];
  pageCount: number;
  title?: string;
}

/** Extracts and chunks documents within the configured limits, and embeds chunks for ingestion. */
export interface DocumentProcessor {
  readonly kind: "process" | "inline";
  /**
   * Extracts and chunks one document. Rejects with `DocumentError` for a bad or over-limit file (including
   * `timeout` and `out_of_memory`, permanent), with `ProcessorCrashedError` when the process running it died for
   * another reason (worth one more try), or with `ProcessorClosedError` after `close()`.
   */
  process(
    bytes: Uint8Array,
    type: DocumentType,
    options?: { onProgress?: (progress: ExtractionProgress) => void },
  ): Promise<ProcessorResult>;
  /** The embedder ingestion uses: the configured one, run in the processor's processes when it computes locally. */
  readonly embedder: Embedder;
  /** Stops every process; work in flight is rejected with `ProcessorClosedError`. */
  close(): Promise<void>;
}

/** The process running an extraction died without a limit being the cause (a crash, a signal from outside). */
export class ProcessorCrashedError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "ProcessorCrashedError";
  }
}

/** The processor was closed (shutdown) while the work was waiting or running. */
export class ProcessorClosedError extends Error {
  constructor() {
    super("The document processor was closed (shutting down)");
    this.name = "ProcessorClosedError";
  }
}
