import { z } from "zod";
import { envTypes } from "../env.ts";
import { openAiConnectionEnv } from "../openai_env.ts";

/** Retrieval variables shared by core (search) and workers (ingestion): both must embed the same way. */
export const ragEnv = {
  /** `offline` (USE lite inside the process, English only) or `openai` (any OpenAI-compatible /embeddings). */
  EMBEDDINGS: z.enum(["offline", "openai"]).default("offline"),
  ...openAiConnectionEnv,
  OPENAI_EMBEDDING_MODEL: z.string().default("text-embedding-3-small"),
  OPENAI_EMBEDDING_DIMENSIONS: envTypes.int(1536, 1),
  /** false for servers that reject the `dimensions` field. */
  OPENAI_EMBEDDING_SEND_DIMENSIONS: envTypes.bool(true),
  OPENAI_EMBEDDING_BATCH: envTypes.int(128, 1),
  /** `pgvector` (same database; embedded default) or `qdrant`. */
  VECTOR_STORE: z.enum(["pgvector", "qdrant"]).default("pgvector"),
  PGVECTOR_TABLE: z.string().regex(/^[a-z_][a-z0-9_]*$/).default("chunk_vectors"),
  PGVECTOR_EF_SEARCH: envTypes.int(100, 1),
  QDRANT_URL: z.url().optional(),
  QDRANT_API_KEY: z.string().optional(),
  QDRANT_COLLECTION: z.string().default("chunks"),
  QDRANT_SHARDS: envTypes.int(1, 1),
  QDRANT_REPLICATION: envTypes.int(1, 1),
  QDRANT_TIMEOUT_MS: envTypes.int(10_000, 100),
};

const ragEnvSchema = z.object(ragEnv);

/** The parsed retrieval variables. */
export type RagEnv = z.infer<typeof ragEnvSchema>;
