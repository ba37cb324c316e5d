/**
 * The document services core and workers share (storage, embedder, vector store, chunking options), chosen in one
 * place from configuration. Everything slow is lazy: the storage secret file, the vector schema and the embedding
 * model are touched on first use, so a tier starts (and answers /healthz) at once.
 */
import type { Database } from "../db/client.ts";
import type { Embedder } from "../rag/embedder/interface.ts";
import type { RagEnv } from "../rag/env.ts";
import { createEmbedder, createVectorStore } from "../rag/mod.ts";
import type { VectorStore } from "../rag/vector/interface.ts";
import type { ChunkOptions } from "./chunker.ts";
import type { DocumentsEnv } from "./env.ts";
import type { DocumentStorage } from "./storage/interface.ts";
import type { DocumentProcessor } from "./processor/interface.ts";
import { createDocumentProcessor } from "./processor/mod.ts";
import { chunkOptionsFrom, createDocumentStorage } from "./storage/mod.ts";

/** Document storage and retrieval services of one process. */
export interface DocumentServices {
  /** Where uploads live; created on first use. */
  storage(): Promise<DocumentStorage>;
  /** The configured storage kind, known without creating the storage. */
  storageKind: "local" | "s3";
  /** The embedder of queries (its model loads on the first `embed`). */
  embedder: Embedder;
  /**
   * Extraction, chunking and ingestion's embedding, within the document limits and (by default) in child
   * processes started on first use; `close()` it at shutdown.
   */
  processor: DocumentProcessor;
  /** The vector store; its schema is ensured once, on first use (a failed attempt is retried on the next call). */
  vectorStore: VectorStore;
  chunkOptions: ChunkOptions;
  /** Largest size a client may declare for an upload. */
  maxUploadBytes: number;
  /** Lifetime of an upload URL: a document still awaiting its bytes after that is abandoned. */
  uploadUrlTtlSeconds: number;
}

/** Parts a test (or a special deployment) supplies instead of the configured ones. */
export interface DocumentServiceOverrides {
  storage?: DocumentStorage;
  embedder?: Embedder;
  vectorStore?: VectorStore;
  processor?: DocumentProcessor;
}

/** Memoises an async factory; a failure is forgotten so the next call tries again (e.g. Qdrant was down). */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= make().catch((err) => {
      value = undefined;
      throw err;
    });
    return value;
  };
}

/** Builds the document services from configuration; does no I/O. */
export function createDocumentServices(
  env: DocumentsEnv & RagEnv & { DATA_DIR: string },
  database: Database,
  overrides: DocumentServiceOverrides = {},
): DocumentServices {
  const embedder = overrides.embedder ?? createEmbedder(env);
  const chunkOptions = chunkOptionsFrom(env);
  return {
    storage: once(async () => overrides.storage ?? await createDocumentStorage(env)),
    storageKind: overrides.storage?.kind ?? env.STORAGE,
    embedder,
    vectorStore: lazyVectorStore(() => overrides.vectorStore ?? createVectorStore(env, database, embedder)),
    processor: overrides.processor ?? createDocumentProcessor(env, {
      chunkOptions,
      embedder,
      // The offline model computes on the CPU: it runs beside extraction, off the serving loop.
      offloadEmbedding: env.EMBEDDINGS === "offline" && !overrides.embedder,
    }),
    chunkOptions,
    maxUploadBytes: env.UPLOAD_MAX_BYTES,
    uploadUrlTtlSeconds: env.UPLOAD_URL_TTL_SECONDS,
  };
}

/** A vector store that is created and has its schema ensured on the first call of any method. */
export function lazyVectorStore(make: () => VectorStore): VectorStore {
  let made: VectorStore | undefined;
  const ready = once(async () => {
    made ??= make();
    await made.ensureSchema();
    return made;
  });
  return {
    get name() {
      made ??= make();
      return made.name;
    },
    ensureSchema: async () => void await ready(),
    upsert: async (points) => (await ready()).upsert(points),
    deleteDocument: async (id, options) => (await ready()).deleteDocument(id, options),
    query: async (vector, options) => (await ready()).query(vector, options),
    count: async (scope) => (await ready()).count(scope),
  };
}
