import type client from "prom-client";
import type { TutorEnv } from "../env.ts";
import { instrumentTutorModel } from "./instrumented.ts";
import type { TutorModel } from "./interface.ts";
import { OfflineTutor } from "./offline.ts";
import { OpenAiModel } from "./openai.ts";

/**
 * Picks the tutor's model from configuration: the one place that chooses the implementation. With `metrics`, its
 * calls are measured there (docs/metrics-contract.md).
 */
export function createTutorModel(env: TutorEnv, options: { metrics?: client.Registry } = {}): TutorModel {
  const model = chooseModel(env);
  return options.metrics ? instrumentTutorModel(model, options.metrics, env.TUTOR_MODEL) : model;
}

function chooseModel(env: TutorEnv): TutorModel {
  if (env.TUTOR_MODEL === "offline") {
    return new OfflineTutor({ threshold: env.TUTOR_OFFLINE_SUPPORT_THRESHOLD });
  }
  return new OpenAiModel({
    apiKey: env.OPENAI_API_KEY,
    baseURL: env.OPENAI_BASE_URL,
    models: {
      chat: env.OPENAI_CHAT_MODEL,
      summary: env.OPENAI_SUMMARY_MODEL,
      "exam-gen": env.OPENAI_EXAM_MODEL,
      grading: env.OPENAI_GRADING_MODEL,
    },
    timeoutMs: env.OPENAI_TIMEOUT_MS,
    streamIdleTimeoutMs: env.OPENAI_STREAM_IDLE_TIMEOUT_MS,
    maxRetries: env.OPENAI_MAX_RETRIES,
    maxOutputTokens: env.OPENAI_MAX_OUTPUT_TOKENS,
  });
}
