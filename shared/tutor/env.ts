import { z } from "zod";
import { envTypes } from "../env.ts";
import { openAiConnectionEnv } from "../openai_env.ts";

/** Tutor variables, spread into core's env schema (and the workers' when exam generation needs a model). */
export const tutorEnv = {
  /** Which model answers: the offline extractive tutor (no model needed) or an OpenAI-compatible server. */
  TUTOR_MODEL: z.enum(["offline", "openai"]).default("offline"),
  ...openAiConnectionEnv,
  OPENAI_CHAT_MODEL: z.string().default("gpt-4o-mini"),
  OPENAI_SUMMARY_MODEL: z.string().default("gpt-4o-mini"),
  OPENAI_EXAM_MODEL: z.string().default("gpt-4o"),
  OPENAI_GRADING_MODEL: z.string().default("gpt-4o-mini"),
  /** Per attempt, until response headers arrive. */
  OPENAI_TIMEOUT_MS: envTypes.int(30_000, 100),
  /** Longest silence between two streamed chunks before the call is abandoned. */
  OPENAI_STREAM_IDLE_TIMEOUT_MS: envTypes.int(20_000, 100),
  OPENAI_MAX_OUTPUT_TOKENS: envTypes.int(800, 16),
  /** Offline tutor: minimum question-term support of the best sentence to answer (0..1); below it, it refuses. */
  TUTOR_OFFLINE_SUPPORT_THRESHOLD: z.coerce.number().min(0).max(1).default(0.45),
};

const tutorEnvSchema = z.object(tutorEnv);

/** The parsed tutor variables. */
export type TutorEnv = z.infer<typeof tutorEnvSchema>;
