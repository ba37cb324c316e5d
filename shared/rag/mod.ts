/** Picks the embedder and vector store from configuration: the one place where implementations are chosen. */
import type { Database } from "../db/client.ts";
import { ConfigError } from "../env.ts";
import type { Embedder } from "./embedder/interface.ts";
import { createOfflineEmbedder } from "./embedder/offline.ts";
import { createOpenAiEmbedder } from "./embedder/openai.ts";
import type { RagEnv } from "./env.ts";
import type { VectorStore } from "./vector/interface.ts";
import { createPgvectorStore } from "./vector/pgvector.ts";
import { createQdrantStore } from "./vector/qdrant.ts";

/** The embedder `EMBEDDINGS` names. */
export function createEmbedder(env: RagEnv): Embedder {
  if (env.EMBEDDINGS === "offline") return createOfflineEmbedder();
  if (!env.OPENAI_API_KEY) throw new ConfigError("EMBEDDINGS=openai needs OPENAI_API_KEY");
  return createOpenAiEmbedder({
    apiKey: env.OPENAI_API_KEY,
    baseUrl: env.OPENAI_BASE_URL,
    model: env.OPENAI_EMBEDDING_MODEL,
    dimensions: env.OPENAI_EMBEDDING_DIMENSIONS,
    sendDimensions: env.OPENAI_EMBEDDING_SEND_DIMENSIONS,
    batchSize: env.OPENAI_EMBEDDING_BATCH,
    maxRetries: env.OPENAI_MAX_RETRIES,
  });
}

/** The vector store `VECTOR_STORE` names, sized for the embedder's vectors. */
export function createVectorStore(env: RagEnv, database: Database, embedder: Embedder): VectorStore {
  if (env.VECTOR_STORE === "pgvector") {
    return createPgvectorStore(database, {
      dimensions: embedder.dimensions,
      table: env.PGVECTOR_TABLE,
      efSearch: env.PGVECTOR_EF_SEARCH,
    });
  }
  if (!env.QDRANT_URL) throw new ConfigError("VECTOR_STORE=qdrant needs QDRANT_URL");
  return createQdrantStore({
    url: env.QDRANT_URL,
    apiKey: env.QDRANT_API_KEY,
    collection: env.QDRANT_COLLECTION,
    dimensions: embedder.dimensions,
    shardNumber: env.QDRANT_SHARDS,
    replicationFactor: env.QDRANT_REPLICATION,
    timeoutMs: env.QDRANT_TIMEOUT_MS,
  });
}
