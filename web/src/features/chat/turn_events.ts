/** One streamed turn's SSE events (`token`, `citations`, `done`, `error`) dispatched to the chat panel's handlers. */
import { ApiError } from "../../lib/api_error.ts";
import type { Schemas } from "../../lib/api.ts";
import { readSse } from "./sse.ts";

/** The status a refused question would have had as JSON (the stream itself is 200). */
const STATUS_OF: Record<string, number> = {
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  QUOTA_EXCEEDED: 429,
  UNAVAILABLE: 503,
};

/** What the stream reports while an answer is written. */
export interface TurnHandlers {
  onToken(text: string): void;
  onCitations(citations: Schemas["Citation"][]): void;
  onDone(
    done: {
      messageId: string;
      userMessageId: string;
      status: Schemas["ChatMessage"]["status"];
      refusal: string | null;
      cached: boolean;
    },
  ): void;
  onError(error: { code: string; message: string }): void;
}

/**
 * Reads the stream to its end. An `error` event without `userMessageId` is a refusal before the question was
 * stored (quota, scope, a busy tutor): thrown as `ApiError` with the status the JSON answer would have had, so
 * the question stays in the box. An `error` with `userMessageId` is a failed turn: `onError`.
 */
export async function dispatchTurnEvents(
  stream: ReadableStream<Uint8Array>,
  handlers: TurnHandlers,
): Promise<void> {
  for await (const event of readSse(stream)) {
    const payload = JSON.parse(event.data);
    if (event.event === "token") handlers.onToken(payload.text);
    else if (event.event === "citations") handlers.onCitations(payload.citations);
    else if (event.event === "done") handlers.onDone(payload);
    else if (event.event === "error" && !payload.userMessageId) {
      throw new ApiError(STATUS_OF[payload.code] ?? 500, {
        code: payload.code,
        message: payload.message,
        details: payload.details,
      });
    } else if (event.event === "error") handlers.onError(payload);
  }
}
