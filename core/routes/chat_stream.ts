/**
 * A chat turn as Server-Sent Events. The headers and a first comment go out as soon as the turn is admitted, before
 * any of its work, so no proxy in front (the edge's core timeout, nginx) waits on a busy core for them; a comment
 * every `heartbeatMs` keeps the stream visibly alive while the turn waits for a slot or prepares. Everything that
 * fails after that reaches the client as an `error` event in the one shape.
 */
import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import { releasedAtFirstEvent, type TurnSlot } from "../chat/admission.ts";
import { askTutor, type ChatEvent, turnError } from "../chat/turn.ts";
import type { Identity } from "../../shared/identity.ts";
import type { CoreServices } from "../services.ts";

/** What one streamed turn needs: who asks what, and its place in the process's turns (admitted, maybe queued). */
export interface StreamedTurn {
  services: CoreServices;
  caller: Identity;
  question: { sessionId: string; content: string };
  /** From `TurnAdmission.admit`, already taken: resolves when the turn may run. */
  slot: Promise<TurnSlot>;
  /** Aborted when the client goes away (also while the turn waits). */
  abort: AbortController;
}

/** The SSE response of one admitted turn; returned at once, the turn runs inside its body. */
export function streamChatTurn(c: Context, turn: StreamedTurn): Response {
  // A queued turn whose client leaves rejects its slot; the stream's own code handles that, not an unhandled rejection.
  turn.slot.catch(() => {});
  return sseHeaders(streamSSE(c, (stream) => writeTurn(stream, turn)));
}

/** A controller aborted when the request's own signal is (client gone); the stream's cancel aborts it too. */
export function abortOnDisconnect(request: AbortSignal): AbortController {
  const controller = new AbortController();
  if (request.aborted) controller.abort();
  else request.addEventListener("abort", () => controller.abort(), { once: true });
  return controller;
}

/**
 * The headers this stream has always had: `streamSSE`'s `Connection` and `Transfer-Encoding` are the server's to set
 * (hop-by-hop), and `no-transform` plus `X-Accel-Buffering: no` keep proxies from compressing or buffering it.
 */
function sseHeaders(res: Response): Response {
  res.headers.set("content-type", "text/event-stream; charset=utf-8");
  res.headers.set("cache-control", "no-cache, no-transform");
  res.headers.set("x-accel-buffering", "no");
  res.headers.delete("connection");
  res.headers.delete("transfer-encoding");
  return res;
}

/**
 * Writes the turn. When the client goes away `streamSSE` aborts the stream (its body was cancelled): a waiting turn
 * leaves the queue with nothing stored; a running one aborts generation, but its events are still drained to the end,
 * because the last one is emitted only after the answer is stored (writes to the aborted stream are skipped). Nothing
 * is thrown out of here: `streamSSE` would send an error's bare message to the client.
 */
async function writeTurn(stream: SSEStreamingApi, turn: StreamedTurn): Promise<void> {
  const { services, abort } = turn;
  stream.onAbort(() => abort.abort());
  let lastWrite = performance.now();
  const write = async (text: string) => {
    lastWrite = performance.now();
    if (!stream.aborted) await stream.write(text);
  };
  const heartbeatMs = services.env.CHAT_STREAM_HEARTBEAT_MS;
  // Comments (`:` lines) are ignored by every SSE reader; they flush the headers and show the turn is alive.
  const heartbeat = setInterval(() => {
    if (performance.now() - lastWrite >= heartbeatMs * 0.9) write(": waiting\n\n").catch(() => {});
  }, heartbeatMs);
  let slot: TurnSlot | undefined;
  const admitted = performance.now();
  const timing: Record<string, number> = {};
  let outcome = "gone";
  try {
    await write(": accepted\n\n");
    try {
      slot = await turn.slot;
    } catch {
      return; // The client left while the turn waited: nothing was done for it.
    }
    timing.queuedMs = Math.round(performance.now() - admitted);
    const events = askTutor(services, turn.caller, turn.question, abort.signal);
    for await (const event of releasedAtFirstEvent(slot, events)) {
      timing.firstEventMs ??= Math.round(performance.now() - admitted);
      if (event.type === "done" || event.type === "error") {
        outcome = event.type === "done" ? event.status : event.error.code;
      }
      await write(sseText(event));
    }
  } catch (cause) {
    // askTutor ends every failure as an event; this is the stream itself failing.
    const error = turnError(services, cause);
    await write(sseText({ type: "error", messageId: null, userMessageId: null, error })).catch(() => {});
  } finally {
    clearInterval(heartbeat);
    slot?.release();
    // One line per streamed turn: where its time went (the access log's duration is the headers' only).
    services.logger.info("chat turn", {
      outcome,
      ...timing,
      totalMs: Math.round(performance.now() - admitted),
    });
  }
}

/** The SSE text (name and data) of one turn event. */
function sseText(event: ChatEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(sseData(event))}\n\n`;
}

function sseData(event: ChatEvent): Record<string, unknown> {
  switch (event.type) {
    case "token":
      return { text: event.text };
    case "citations":
      return { citations: event.citations };
    case "done":
      return {
        messageId: event.messageId,
        userMessageId: event.userMessageId,
        status: event.status,
        cached: event.turn.cached,
        refusal: event.turn.refusal,
        usage: event.turn.usage,
      };
    default:
      return {
        code: event.error.code,
        message: event.error.message,
        messageId: event.messageId,
        userMessageId: event.userMessageId,
        ...(event.error.details !== undefined ? { details: event.error.details } : {}),
      };
  }
}
