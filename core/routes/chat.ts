import { createRoute, z } from "@hono/zod-openapi";
import { contract, SIGNED_IN } from "../http/contract.ts";
import * as sessions from "../chat/sessions.ts";
import { sessionSummary } from "../chat/summary.ts";
import { quotaLeft } from "../chat/quota.ts";
import { type ChatEvent, type PreparedTurn, prepareTurn, runTurn } from "../chat/turn.ts";
import { releasedAtFirstEvent, type TurnSlot } from "../chat/admission.ts";
import { abortOnDisconnect, streamChatTurn } from "./chat_stream.ts";
import type { CoreApp, CoreVariables } from "../services.ts";
import type { Context } from "hono";
import type { ServiceEnv } from "../../shared/http/service_app.ts";
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
  description:
    "A core process runs `CHAT_TURNS_MAX` turns at once up to their first event (the database and " +
    "retrieval work) and queues `CHAT_TURN_QUEUE_MAX` more; a " +
    "question beyond them is refused at once with 503 and `Retry-After`, nothing stored. As SSE the stream " +
    "starts as soon as the turn is admitted (a `: accepted` comment, then a comment every " +
    "`CHAT_STREAM_HEARTBEAT_MS` while it waits or prepares), so scope, quota and storage failures after that " +
    "arrive as its `error` event (`code`, `message`, `messageId` and `userMessageId`, null for what was not " +
    "stored, and `details` when the error has them); as JSON they are the status codes below.",
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
    // Admission comes first and costs nothing: a full queue is a 503 with Retry-After before anything is stored.
    const abort = abortOnDisconnect(c.req.raw.signal);
    const slot = services.chatTurns.admit(abort.signal);
    if (c.req.header("accept")?.includes("text/event-stream")) {
      // The stream starts at once; scope, quota and the stored question follow inside it (their errors as events).
      return streamChatTurn(c, {
        services,
        caller,
        question: { sessionId: id, content },
        slot,
        abort,
      }) as never;
    }
    // As JSON, scope, quota and the stored question come first: their errors are plain JSON errors.
    let held: TurnSlot;
    try {
      held = await slot;
    } catch (err) {
      // The client left while the turn waited: nothing was done for it and nobody reads the answer (nginx's 499).
      if (abort.signal.aborted) return new Response(null, { status: 499 }) as never;
      throw err;
    }
    let prepared: PreparedTurn;
    try {
      prepared = await prepareTurn(services, caller, id, content);
    } catch (err) {
      held.release();
      throw err;
    }
    return await answerAsJson(c, releasedAtFirstEvent(held, runTurn(services, caller, prepared)));
  });
}

/** Answers a turn's events as JSON once it has ended (the stored answer, or its error with the message ids). */
async function answerAsJson(c: Context<ServiceEnv<CoreVariables>>, events: AsyncIterable<ChatEvent>) {
  for await (const event of events) {
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
}
