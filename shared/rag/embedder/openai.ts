import OpenAI from "openai";
import { AppError, ErrorCode } from "../../errors.ts";
import type { Embedder } from "./interface.ts";

/** How to reach an OpenAI-compatible `/embeddings` endpoint. */
export interface OpenAiEmbedderConfig {
  apiKey: string;
  /** Any OpenAI-compatible server; unset means OpenAI itself. */
  baseUrl?: string;
  model: string;
  /** Vector length; sent as `dimensions` (models that support shortening honour it) and checked on answers. */
  dimensions: number;
  /** Whether to send `dimensions` (some compatible servers reject the field). */
  sendDimensions?: boolean;
  batchSize?: number;
  /** Bounded retries with backoff on 408/409/429/5xx and network errors (the SDK's own policy). */
  maxRetries?: number;
  timeoutMs?: number;
  /** For tests and proxies. */
  fetch?: typeof fetch;
}

/** Embeds through OpenAI's `/embeddings` (or a compatible server), in batches, with bounded retries. */
export function createOpenAiEmbedder(config: OpenAiEmbedderConfig): Embedder {
  const client = new OpenAI({
    apiKey: config.apiKey,
    baseURL: config.baseUrl,
    maxRetries: config.maxRetries ?? 3,
    timeout: config.timeoutMs ?? 30_000,
    fetch: config.fetch,
  });
  const batchSize = config.batchSize ?? 128;
  return {
    model: config.model,
    dimensions: config.dimensions,
    batchSize,
    englishOnly: false,
    async embed(texts) {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        const batch = texts.slice(i, i + batchSize).map((t) => t.trim() || " ");
        let response;
        try {
          response = await client.embeddings.create({
            model: config.model,
            input: batch,
            encoding_format: "float",
            ...(config.sendDimensions === false ? {} : { dimensions: config.dimensions }),
          });
        } catch (err) {
          // Retries are spent: the caller decides (ingestion fails the job, search degrades to keywords).
          throw new AppError(ErrorCode.BAD_GATEWAY, `Embedding request failed: ${(err as Error).message}`, {
            cause: err,
          });
        }
        const vectors = [...response.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
        if (vectors.length !== batch.length) {
          throw new AppError(
            ErrorCode.BAD_GATEWAY,
            `Embedding server returned ${vectors.length} vectors for ${batch.length} texts`,
          );
        }
        for (const v of vectors) {
          if (v.length !== config.dimensions) {
            throw new AppError(
              ErrorCode.BAD_GATEWAY,
              `Embedding model "${config.model}" returned ${v.length} dimensions, expected ${config.dimensions}`,
            );
          }
        }
        out.push(...vectors);
      }
      return out;
    },
  };
}
