import { createRoute, z } from "@hono/zod-openapi";
import { contract, SIGNED_IN } from "../http/contract.ts";
import * as sessions from "../chat/sessions.ts";
import { sessionSummary } from "../chat/summary.ts";
import { quotaLeft } from "../chat/quota.ts";
import { type ChatEvent, prepareTurn, runTurn } from "../chat/turn.ts";
import type { CoreApp } from "../services.ts";
import {
  errorResponses,
  IdParam,
  jsonResponse,
  pageSchema,
  scoped,
  upstreamErrorResponses,
} from "./common.ts";
import { pageQuery } from "../academics/pagination.ts";
import { AppError } from "../../shared/errors.ts";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";

const tags = ["chat"];
const quotaResponse = { 429: { description: "Daily quota used up (Retry-After says when it resets)" } };

const MessageCreate = z.object({ content: z.string().trim().min(1).max(4000) })
  .openapi({ example: { content: "Why does each member of a truss carry axial force only?" } });
const TurnResponse = z.object({
  userMessageId: z.uuid(),
  message: sessions.ChatMessage,
  usage: z.object({
    model: z.string(),
    unit: z.string(),
    input: z.number(),
    output: z.number(),
    latencyMs: z.number(),
  }),
}).openapi("ChatTurn");
const SessionDetail = sessions.ChatSession.extend({ messages: z.array(sessions.ChatMessage) });

const create = createRoute({
  method: "post",
  path: "/v1/chat/sessions",
  tags,
  summary: "Open a tutor chat session in a course the caller can read",
  ...contract({ access: SIGNED_IN, created: "/api/v1/chat/sessions/{id}" }),
  request: { body: { content: { "application/json": { schema: sessions.SessionCreate } }, required: true } },
  responses: { 201: jsonResponse(sessions.ChatSession, "Created"), ...errorResponses },
});
const list = createRoute({
  method: "get",
  path: "/v1/chat/sessions",
  tags,
  summary: "The caller's own chat sessions",
  ...contract({ access: SIGNED_IN }),
  request: { query: z.object({ courseId: z.uuid().optional(), ...pageQuery }) },
  responses: {
    200: jsonResponse(pageSchema(sessions.ChatSession), "A page of sessions, most recently active first"),
    ...errorResponses,
  },
});
const get = createRoute({
  method: "get",
  path: "/v1/chat/sessions/{id}",
  tags,
  summary: "One of the caller's sessions with its messages and citations",
  ...contract({ access: SIGNED_IN }),
  request: { params: IdParam },
  responses: { 200: jsonResponse(SessionDetail, "The session"), ...errorResponses },
});
const QuotaLeft = z.object({
  limit: z.number().int().nullable().openapi({
    description: "The limit that binds first; null when none applies",
  }),
  remaining: z.number().int().nullable().openapi({
    description: "Questions left today; null when unlimited",
  }),
  scope: z.enum(["user", "course"]).nullable(),
  resetsAt: z.string().openapi({ description: "When the day's count starts again (next UTC midnight)" }),
}).openapi("ChatQuota");
const quota = createRoute({
  method: "get",
  path: "/v1/chat/sessions/{id}/quota",
  tags,
  summary: "The caller's tutor questions left today in the session's course",
  ...contract({ access: SIGNED_IN }),
  request: { params: IdParam },
  responses: { 200: jsonResponse(QuotaLeft, "Questions left today"), ...errorResponses },
});
const remove = createRoute({
  method: "delete",
  path: "/v1/chat/sessions/{id}",
  tags,
  summary: "Soft-delete one of the caller's sessions",
  ...contract({ access: SIGNED_IN }),
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});
const ask = createRoute({
  method: "post",
  path: "/v1/chat/sessions/{id}/messages",
  tags,
  summary:
    "Ask the tutor: JSON, or SSE (`token`, `citations`, `done`, `error`) with Accept: text/event-stream",
  ...contract({ access: SIGNED_IN, rateLimit: "chat" }),
  request: {
    params: IdParam,
    body: { content: { "application/json": { schema: MessageCreate } }, required: true },
  },
  responses: {
    200: {
      description: "The stored answer (JSON) or its stream (SSE)",
      content: {
        "application/json": { schema: TurnResponse },
        "text/event-stream": { schema: z.string() },
      },
    },
    ...errorResponses,
    ...upstreamErrorResponses,
    ...quotaResponse,
  },
});
const summary = createRoute({
  method: "get",
  path: "/v1/chat/sessions/{id}/summary",
  tags,
  summary:
    "Learning summary of a session (topics, open questions, sections to review), cached until it changes",
  ...contract({ access: SIGNED_IN, rateLimit: "ai" }),
  request: { params: IdParam },
  responses: {
    200: jsonResponse(z.object({ cached: z.boolean() }).passthrough(), "The summary"),
    ...errorResponses,
    ...upstreamErrorResponses,
  },
});

/** Chat routes: the caller's own sessions with the course tutor. */
export function registerChatRoutes(app: CoreApp): void {
  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    return c.json(sessions.sessionView(await scoped(c, (ctx) => sessions.createSession(ctx, body))), 201);
  });
  app.openapi(list, async (c) => {
    const { courseId, ...page } = c.req.valid("query");
    const found = await scoped(c, (ctx) => sessions.listSessions(ctx, courseId, page), { readOnly: true });
    return c.json({ items: found.rows.map(sessions.sessionView), nextCursor: found.nextCursor }, 200);
  });
  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const detail = await scoped(c, async (ctx) => {
      const session = await sessions.ownSession(ctx, id);
      return {
        ...sessions.sessionView(session),
        messages: (await sessions.sessionMessages(ctx, id)).map(sessions.messageView),
      };
    }, { readOnly: true });
    return c.json(detail, 200);
  });
  app.openapi(quota, async (c) => {
    const { id } = c.req.valid("param");
    const caller = c.var.caller!;
    const session = await scoped(c, (ctx) => sessions.ownSession(ctx, id), { readOnly: true });
    // Counted as the owner, after the caller's transaction (a course quota counts other users' messages).
    const left = await quotaLeft(c.var.services.database.db, c.var.services.env, {
      userId: caller.userId,
      role: caller.role,
      courseId: session.courseId,
    });
    return c.json(left, 200);
  });
  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    await scoped(c, (ctx) => sessions.deleteSession(ctx, id));
    return c.body(null, 204);
  });
  app.openapi(summary, async (c) => {
    const { id } = c.req.valid("param");
    const result = await scoped(c, (ctx) => sessionSummary(ctx, c.var.services, id));
    return c.json({ ...result.summary, cached: result.cached }, 200);
  });
  app.openapi(ask, async (c) => {
    const { id } = c.req.valid("param");
    const { content } = c.req.valid("json");
    const services = c.var.services;
    const caller = c.var.caller!;
    // Scope, quota and the stored question come first: their errors are plain JSON errors, before any stream.
    const prepared = await prepareTurn(services, caller, id, content);
    if (c.req.header("accept")?.includes("text/event-stream")) {
      const abort = abortOnDisconnect(c.req.raw.signal);
      const events = runTurn(services, caller, prepared, abort.signal);
      const onFailure = (error: unknown) =>
        services.logger.error("chat stream failed", { error: String(error) });
      return sseHeaders(streamSSE(c, (stream) => streamTurn(stream, events, abort, onFailure))) as never;
    }
    for await (const event of runTurn(services, caller, prepared)) {
      if (event.type === "error") {
        throw new AppError(event.error.code, event.error.message, {
          details: { messageId: event.messageId, userMessageId: event.userMessageId },
          headers: event.error.headers,
        });
      }
      if (event.type === "done") {
        const { turn } = event;
        return c.json({
          userMessageId: event.userMessageId,
          message: {
            id: event.messageId,
            role: "assistant" as const,
            content: turn.answer,
            citations: turn.citations,
            status: event.status,
            error: null,
            refusal: turn.refusal,
            model: turn.usage.model,
            cached: turn.cached,
            createdAt: new Date().toISOString(),
          },
          usage: {
            model: turn.usage.model,
            unit: turn.usage.unit,
            input: turn.usage.input,
            output: turn.usage.output,
            latencyMs: turn.usage.latencyMs,
          },
        }, 200);
      }
    }
    throw new Error("Chat turn ended without a result");
  });
}

/** A controller aborted when the request's own signal is (client gone); the stream's cancel aborts it too. */
function abortOnDisconnect(request: AbortSignal): AbortController {
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

/** The SSE event (name and data) of one turn event. */
function sseEventOf(event: ChatEvent): { event: string; data: string } {
  switch (event.type) {
    case "token":
      return { event: "token", data: JSON.stringify({ text: event.text }) };
    case "citations":
      return { event: "citations", data: JSON.stringify({ citations: event.citations }) };
    case "done":
      return {
        event: "done",
        data: JSON.stringify({
          messageId: event.messageId,
          userMessageId: event.userMessageId,
          status: event.status,
          cached: event.turn.cached,
          refusal: event.turn.refusal,
          usage: event.turn.usage,
        }),
      };
    default:
      return {
        event: "error",
        data: JSON.stringify({
          code: event.error.code,
          message: event.error.message,
          messageId: event.messageId,
          userMessageId: event.userMessageId,
        }),
      };
  }
}

/**
 * Writes the turn as Server-Sent Events. When the client goes away `streamSSE` aborts the stream (its body was
 * cancelled): generation is aborted, but the events are still drained to the end, because the last one is emitted
 * only after the answer is stored (writes to the aborted stream are dropped by `streamSSE`). Nothing is thrown out
 * of here: `streamSSE` would send an error's message to the client.
 */
async function streamTurn(
  stream: SSEStreamingApi,
  events: AsyncGenerator<ChatEvent>,
  abort: AbortController,
  onFailure: (error: unknown) => void,
): Promise<void> {
  stream.onAbort(() => abort.abort());
  try {
    for await (const event of events) {
      if (!stream.aborted) await stream.writeSSE(sseEventOf(event));
    }
  } catch (error) {
    // runTurn stores generation failures itself and ends with an `error` event; what lands here is a failure to
    // store, which the client hears about as a cut stream.
    onFailure(error);
  }
}
