import { z } from "zod";
import { envTypes } from "./env.ts";

/**
 * How to reach the OpenAI-compatible server, shared by the tutor's models and the embedder (defined once, so both
 * read the same key, URL and retry budget in every tier).
 */
export const openAiConnectionEnv = {
  /** Required for OpenAI; some local OpenAI-compatible servers accept any value. */
  OPENAI_API_KEY: z.string().optional(),
  /** Any OpenAI-compatible server (vLLM, Ollama, LiteLLM, Azure proxy); unset means api.openai.com. */
  OPENAI_BASE_URL: z.url().optional(),
  /** Retries after the first attempt, on 408/409/429/5xx and connection errors (with backoff, honouring Retry-After). */
  OPENAI_MAX_RETRIES: envTypes.int(2, 0),
};
