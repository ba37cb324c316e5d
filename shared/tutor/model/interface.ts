import type { AnswerPolicy, RetrievedChunk, TutorLanguage } from "../types.ts";

/** What a model call is for; each task may use its own model (configured per task). */
export type ModelTask = "chat" | "summary" | "exam-gen" | "grading";

/** One chat message of a prompt, in the OpenAI chat shape. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/**
 * A generation request: the built prompt for models that read prompts, and the grounding it came from for the
 * offline tutor, which answers from the chunks directly.
 */
export interface GenerationRequest {
  task: ModelTask;
  messages: ChatMessage[];
  grounding?: {
    question: string;
    /** Chunks in citation order: chunk i is cited as [i + 1]. */
    chunks: RetrievedChunk[];
    policy: AnswerPolicy;
    language: TutorLanguage;
  };
  /** Upper bound on generated tokens. */
  maxTokens?: number;
  /** Ask for JSON matching this schema (OpenAI structured output); callers still validate what comes back. */
  responseSchema?: { name: string; schema: Record<string, unknown> };
  signal?: AbortSignal;
}

/** Counted usage of one call: tokens for real models, characters for the offline tutor. */
export interface ModelUsage {
  unit: "tokens" | "characters";
  input: number;
  output: number;
}

/** What a streaming generation yields: text pieces, then usage once at the end. */
export type ModelEvent =
  | { type: "token"; text: string }
  | { type: "usage"; usage: ModelUsage }
  /** The offline tutor found nothing relevant: the pipeline answers with its refusal message. */
  | { type: "refusal" };

/** A language model, remote or offline. */
export interface TutorModel {
  /** The model id for a task, as recorded in usage. */
  modelFor(task: ModelTask): string;
  /** Whether the model reads the history in `messages` (answers then depend on the session and are not cached). */
  readonly usesHistory: boolean;
  /** Streams the answer; throws `AppError` (TIMEOUT, RATE_LIMITED, BAD_GATEWAY, UNAVAILABLE) when the call fails. */
  stream(request: GenerationRequest): AsyncIterable<ModelEvent>;
}

/** Collects a stream into the whole text and usage (for non-streaming callers). */
export async function complete(
  model: TutorModel,
  request: GenerationRequest,
): Promise<{ text: string; usage: ModelUsage | null; refused: boolean }> {
  let text = "";
  let usage: ModelUsage | null = null;
  let refused = false;
  for await (const event of model.stream(request)) {
    if (event.type === "token") text += event.text;
    else if (event.type === "usage") usage = event.usage;
    else refused = true;
  }
  return { text, usage, refused };
}
