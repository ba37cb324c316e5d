import OpenAI from "openai";
import { AppError, ErrorCode } from "../../errors.ts";
import type { GenerationRequest, ModelEvent, ModelTask, TutorModel } from "./interface.ts";

/** Configuration of the OpenAI-compatible model. */
export interface OpenAiModelOptions {
  apiKey?: string;
  /** Any OpenAI-compatible server; unset means api.openai.com. */
  baseURL?: string;
  models: Record<ModelTask, string>;
  /** Per attempt, until the response starts. */
  timeoutMs: number;
  /** Longest silence between streamed chunks. */
  streamIdleTimeoutMs: number;
  /** Retries after the first attempt (the SDK's backoff, honouring Retry-After). */
  maxRetries: number;
  maxOutputTokens: number;
  /** For tests: a fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

/**
 * Chat completions over the `openai` SDK, streamed. Failure policy: the SDK retries 408/409/429/5xx and connection
 * errors `maxRetries` times with backoff; a stream that goes silent is abandoned; whatever still fails becomes an
 * `AppError` (RATE_LIMITED, TIMEOUT, BAD_GATEWAY or UNAVAILABLE) so the turn is stored as failed, never silent.
 */
export class OpenAiModel implements TutorModel {
  readonly usesHistory = true;
  readonly #client: OpenAI;
  readonly #options: OpenAiModelOptions;

  /** Builds the SDK client once; no request is made here. */
  constructor(options: OpenAiModelOptions) {
    this.#options = options;
    this.#client = new OpenAI({
      // The SDK refuses to start without a key; servers that need none accept any string.
      apiKey: options.apiKey ?? "unset",
      baseURL: options.baseURL,
      timeout: options.timeoutMs,
      maxRetries: options.maxRetries,
      fetch: options.fetch,
    });
  }

  /** The configured model id of a task. */
  modelFor(task: ModelTask): string {
    return this.#options.models[task];
  }

  /** Streams tokens, then the usage the server reports (asked for with `stream_options.include_usage`). */
  async *stream(request: GenerationRequest): AsyncIterable<ModelEvent> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(request.signal?.reason);
    request.signal?.addEventListener("abort", onAbort);
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    let idle = false;
    const armIdle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        idle = true;
        controller.abort();
      }, this.#options.streamIdleTimeoutMs);
    };
    try {
      const stream = await this.#client.chat.completions.create({
        model: this.modelFor(request.task),
        messages: request.messages,
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: request.maxTokens ?? this.#options.maxOutputTokens,
        temperature: 0.2,
        ...(request.responseSchema
          ? {
            response_format: {
              type: "json_schema" as const,
              json_schema: { name: request.responseSchema.name, schema: request.responseSchema.schema },
            },
          }
          : {}),
      }, { signal: controller.signal });
      armIdle();
      for await (const chunk of stream) {
        armIdle();
        const text = chunk.choices?.[0]?.delta?.content;
        if (text) yield { type: "token", text };
        if (chunk.usage) {
          yield {
            type: "usage",
            usage: {
              unit: "tokens",
              input: chunk.usage.prompt_tokens,
              output: chunk.usage.completion_tokens,
            },
          };
        }
      }
      // The SDK ends a stream quietly when its signal aborts; an abort by the idle timer is a failure.
      if (idle) throw new Error("stream idle");
    } catch (error) {
      if (request.signal?.aborted) return; // the caller left; the pipeline marks the turn interrupted
      throw toAppError(error, idle, this.#options.streamIdleTimeoutMs);
    } finally {
      clearTimeout(idleTimer);
      request.signal?.removeEventListener("abort", onAbort);
    }
  }
}

/** Maps SDK failures to the project's error codes. */
function toAppError(error: unknown, idle: boolean, idleMs: number): AppError {
  if (idle) return new AppError(ErrorCode.TIMEOUT, `The model sent nothing for ${idleMs} ms`);
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new AppError(ErrorCode.TIMEOUT, "The model did not answer in time");
  }
  if (error instanceof OpenAI.RateLimitError) {
    return new AppError(
      ErrorCode.RATE_LIMITED,
      "The model provider is rate limiting requests; try again shortly",
    );
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new AppError(ErrorCode.UNAVAILABLE, "The model server could not be reached");
  }
  if (error instanceof OpenAI.APIError) {
    return new AppError(
      ErrorCode.BAD_GATEWAY,
      `The model server failed (status ${error.status ?? "unknown"})`,
    );
  }
  return new AppError(ErrorCode.BAD_GATEWAY, `The model call failed: ${(error as Error)?.message ?? error}`);
}
