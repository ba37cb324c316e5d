/**
 * One chat turn, persisted around the tutor pipeline: the student's message is stored (after scope and quota
 * checks) before generation starts; the answer is stored when generation ends — complete, `interrupted` (client
 * gone; what was produced is kept) or `failed` (the error is kept, so the session shows the failed turn). Each turn
 * is audited as `tutor.query` with the cited chunks. No HTTP here: the route maps the events to JSON or SSE.
 */
import { aiMetricsOf } from "../../shared/ai_metrics.ts";
import { and, desc, eq, isNull } from "drizzle-orm";
import { queryRows, sql } from "../../shared/db/client.ts";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "../../shared/db/unavailable.ts";
import { chatMessages, chatSessions } from "../../shared/db/schema/chat.ts";
import { recordAudit } from "../../shared/audit/audit.ts";
import { AppError, ErrorCode, errors } from "../../shared/errors.ts";
import type { Identity } from "../../shared/identity.ts";
import { withCallerTx } from "../scope/caller_tx.ts";
import { runScoped } from "../academics/context.ts";
import type { CoreServices } from "../services.ts";
import { streamTutorTurn, type TutorEvent, type TutorTurnResult } from "../../shared/tutor/pipeline.ts";
import { HybridRetriever } from "../../shared/tutor/retriever/hybrid.ts";
import type { AnswerPolicy, Citation, TutorLanguage, TutorTurn } from "../../shared/tutor/types.ts";
import { DEFAULT_ANSWER_POLICY } from "./policy.ts";
import { checkQuota } from "./quota.ts";

/** Everything generation needs, read in the same transaction that stored the student's message. */
export interface PreparedTurn {
  sessionId: string;
  courseId: string;
  courseTitle?: string;
  userMessageId: string;
  question: string;
  history: TutorTurn[];
  policy: AnswerPolicy;
  corpusVersion: number;
  preferredLanguage?: TutorLanguage;
}

/** What the route streams: the pipeline's events, then the stored answer (or the failure). */
export type ChatEvent =
  | Extract<TutorEvent, { type: "token" | "citations" }>
  | {
    type: "done";
    messageId: string;
    userMessageId: string;
    turn: TutorTurnResult;
    status: "complete" | "interrupted";
  }
  | { type: "error"; messageId: string | null; userMessageId: string | null; error: AppError };

/** Checks scope and quota, reads policy, history and corpus version, and stores the student's message. */
export async function prepareTurn(
  services: CoreServices,
  caller: Identity,
  sessionId: string,
  question: string,
): Promise<PreparedTurn> {
  // The quota counts other users' messages (course quotas), so it runs as the owner, before the caller's
  // transaction (PGlite has one connection: a query outside an open transaction would wait for it forever).
  // Always checked: a course's own quota (its tutor policy) applies to every role.
  {
    const [owned] = await services.database.db.select({ courseId: chatSessions.courseId }).from(chatSessions)
      .where(
        and(
          eq(chatSessions.id, sessionId),
          eq(chatSessions.userId, caller.userId),
          isNull(chatSessions.deletedAt),
        ),
      )
      .limit(1);
    if (owned) {
      await checkQuota(services.database.db, services.env, {
        userId: caller.userId,
        role: caller.role,
        courseId: owned.courseId,
      }).catch((err) => {
        if (err instanceof AppError && err.code === ErrorCode.QUOTA_EXCEEDED) {
          const scope = (err.details as { quota?: string } | undefined)?.quota === "course"
            ? "course"
            : "role";
          aiMetricsOf(services.metrics.registry).chatQuotaExceeded.inc({ scope });
        }
        throw err;
      });
    }
  }
  return await runScoped(services, caller, async (ctx) => {
    // The session with everything a turn reads about its course and caller, in one statement (a turn's fixed cost
    // is mostly round trips), and the recent history.
    const [[session], recent] = await Promise.all([
      queryRows<{
        id: string;
        course_id: string;
        policy: AnswerPolicy | null;
        corpus_version: number | null;
        course_title: string | null;
        language: TutorLanguage | null;
      }>(
        ctx.tx,
        sql`select s.id, s.course_id,
              (select p.answer_policy from course_tutor_settings p
                where p.course_id = s.course_id and p.deleted_at is null limit 1) as policy,
              (select v.version from course_corpus_versions v where v.course_id = s.course_id) as corpus_version,
              (select c.title from courses c where c.id = s.course_id) as course_title,
              (select u.preferred_language from user_profiles u
                where u.user_id = s.user_id and u.deleted_at is null limit 1) as language
            from chat_sessions s
            where s.id = ${sessionId}::uuid and s.user_id = ${caller.userId}::uuid and s.deleted_at is null`,
      ),
      ctx.tx.select().from(chatMessages)
        .where(and(eq(chatMessages.sessionId, sessionId), isNull(chatMessages.deletedAt)))
        .orderBy(desc(chatMessages.createdAt)).limit(20),
    ]);
    if (!session) throw errors.notFound("Chat session");
    // Access is checked per question, not only at session creation: a dropped enrollment ends the chat.
    if (!ctx.scope.canReadCourse(session.course_id)) {
      throw new AppError(ErrorCode.FORBIDDEN, "You no longer have access to this session's course");
    }
    const [stored] = await ctx.tx.insert(chatMessages).values({
      sessionId: session.id,
      userId: caller.userId,
      courseId: session.course_id,
      role: "user",
      content: question,
    }).returning({ id: chatMessages.id });
    await ctx.tx.update(chatSessions).set({ updatedAt: new Date() }).where(eq(chatSessions.id, session.id));
    return {
      sessionId: session.id,
      courseId: session.course_id,
      courseTitle: session.course_title ?? undefined,
      userMessageId: stored.id,
      question,
      // Failed turns are not part of the conversation the tutor sees.
      history: recent.reverse().filter((m) => m.status !== "failed").map((m) => ({
        role: m.role === "user" ? "student" as const : "tutor" as const,
        text: m.content,
        citations: m.role === "assistant" ? m.citations as Citation[] : undefined,
        refused: m.role === "assistant" ? m.refusal !== null : undefined,
      })),
      policy: session.policy ?? DEFAULT_ANSWER_POLICY,
      corpusVersion: Number(session.corpus_version ?? 0),
      preferredLanguage: session.language ?? undefined,
    };
  });
}

/**
 * A whole turn as events, for a stream whose headers are already sent: scope, quota and the stored question
 * (`prepareTurn`), then generation and the stored answer (`runTurn`). Every failure ends it as an `error` event in the
 * one shape: ids are null for what was not stored (a refused question has no `userMessageId`).
 */
export async function* askTutor(
  services: CoreServices,
  caller: Identity,
  question: { sessionId: string; content: string },
  signal?: AbortSignal,
): AsyncGenerator<ChatEvent> {
  let prepared: PreparedTurn;
  try {
    prepared = await prepareTurn(services, caller, question.sessionId, question.content);
  } catch (cause) {
    yield { type: "error", messageId: null, userMessageId: null, error: turnError(services, cause) };
    return;
  }
  try {
    yield* runTurn(services, caller, prepared, signal);
  } catch (cause) {
    // runTurn stores generation failures itself; what lands here is a failure to store the answer (retried there).
    const error = turnError(services, cause);
    yield { type: "error", messageId: null, userMessageId: prepared.userMessageId, error };
  }
}

/** The project's error for anything a turn threw: its own as is, an unreachable database as 503, the rest as 500. */
export function turnError(services: Pick<CoreServices, "logger">, cause: unknown): AppError {
  if (cause instanceof AppError) return cause;
  if (isDatabaseUnavailable(cause)) {
    services.logger.warn("chat turn: database unavailable", { error: String(cause) });
    return new AppError(ErrorCode.UNAVAILABLE, "The database is unavailable; try again shortly", {
      headers: { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) },
    });
  }
  services.logger.error("chat turn failed", { error: String(cause) });
  return new AppError(ErrorCode.INTERNAL, "Something went wrong on our side", { cause });
}

/**
 * Runs the pipeline for a prepared turn and stores the answer however generation ends. Keep draining this iterator
 * after aborting `signal`: the last event is always `done` or `error`, after the answer is stored.
 */
export async function* runTurn(
  services: CoreServices,
  caller: Identity,
  prepared: PreparedTurn,
  signal?: AbortSignal,
): AsyncGenerator<ChatEvent> {
  const started = performance.now();
  const deps = {
    retriever: new HybridRetriever({
      database: services.database,
      vectorStore: services.documents.vectorStore,
      embedder: services.documents.embedder,
      logger: services.logger,
      metrics: services.metrics.registry,
    }),
    model: services.tutorModel,
    examLockout: services.examLockout,
    logger: services.logger,
    cache: services.kv,
  };
  let turn: TutorTurnResult | null = null;
  try {
    for await (
      const event of streamTutorTurn(deps, {
        scope: { courseId: prepared.courseId },
        question: prepared.question,
        history: prepared.history,
        policy: prepared.policy,
        preferredLanguage: prepared.preferredLanguage,
        corpusVersion: prepared.corpusVersion,
        courseTitle: prepared.courseTitle,
        signal,
      })
    ) {
      if (event.type === "done") turn = event.turn;
      else yield event;
    }
    if (!turn) throw new Error("Tutor pipeline ended without a result");
  } catch (cause) {
    const error = cause instanceof AppError
      ? cause
      : new AppError(ErrorCode.INTERNAL, "The tutor could not answer this question", { cause });
    if (!(cause instanceof AppError)) services.logger.error("tutor turn failed", { error: String(cause) });
    const messageId = await storeFailure(services, caller, prepared, error, performance.now() - started);
    yield { type: "error", messageId, userMessageId: prepared.userMessageId, error };
    return;
  }
  aiMetricsOf(services.metrics.registry).chatAnswerCache.inc({
    result: turn.cached ? "hit" : turn.cacheable ? "miss" : "skip",
  });
  const status = turn.interrupted ? "interrupted" : "complete";
  const messageId = await storeAnswer(services, caller, prepared, turn, status);
  yield { type: "done", messageId, userMessageId: prepared.userMessageId, turn, status };
}

function storeAnswer(
  services: CoreServices,
  caller: Identity,
  prepared: PreparedTurn,
  turn: TutorTurnResult,
  status: "complete" | "interrupted",
): Promise<string> {
  const retrieval = turn.steps.find((s) => s.step === "retrieval");
  return storeReply(services, caller, prepared, {
    message: {
      content: turn.answer,
      citations: turn.citations,
      status,
      intent: turn.intent,
      refusal: turn.refusal,
      model: turn.usage.model,
      usageUnit: turn.usage.unit,
      unitsIn: turn.usage.input,
      unitsOut: turn.usage.output,
      latencyMs: Math.round(turn.usage.latencyMs),
      cached: turn.cached,
    },
    audit: {
      intent: turn.intent,
      refusal: turn.refusal,
      policy: prepared.policy,
      model: turn.usage.model,
      cached: turn.cached,
      retrievedChunks: retrieval ? (retrieval as { chunks?: number }).chunks ?? 0 : 0,
      chunkIds: turn.citations.map((c) => c.chunkId),
      degraded: turn.degraded ?? null,
    },
  });
}

function storeFailure(
  services: CoreServices,
  caller: Identity,
  prepared: PreparedTurn,
  error: AppError,
  latencyMs: number,
): Promise<string> {
  return storeReply(services, caller, prepared, {
    message: {
      content: "",
      status: "failed",
      error: `${error.code}: ${error.message}`,
      model: services.tutorModel.modelFor("chat"),
      latencyMs: Math.round(latencyMs),
    },
    audit: { error: error.code, chunkIds: [] },
  });
}

/** The assistant's side of a turn: the columns that differ between an answer and a failure, and its audit details. */
interface Reply {
  message: Omit<typeof chatMessages.$inferInsert, "sessionId" | "userId" | "courseId" | "role"> & {
    status: "complete" | "interrupted" | "failed";
  };
  audit: Record<string, unknown>;
}

/** Pauses before each new try of storing a reply while the database is unreachable (ms). */
const STORE_RETRY_DELAYS_MS = [250, 1_000];

/**
 * Stores the assistant's message and audits the turn as `tutor.query`, in one transaction. An answer also moves the
 * session up the list (its `updatedAt`); a failed turn does not. The answer was paid for: while the database is
 * unreachable the store is tried again, under an id chosen here, so a try whose commit landed but whose reply was lost
 * is not stored twice.
 */
async function storeReply(
  services: CoreServices,
  caller: Identity,
  prepared: PreparedTurn,
  reply: Reply,
): Promise<string> {
  const id = crypto.randomUUID();
  for (let attempt = 0;; attempt++) {
    try {
      return await storeReplyOnce(services, caller, prepared, reply, id);
    } catch (err) {
      const delay = STORE_RETRY_DELAYS_MS[attempt];
      if (delay === undefined || !isDatabaseUnavailable(err)) throw err;
      services.logger.warn("chat turn: storing the answer failed, trying again", {
        error: String(err),
        attempt,
      });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

async function storeReplyOnce(
  services: CoreServices,
  caller: Identity,
  prepared: PreparedTurn,
  reply: Reply,
  id: string,
): Promise<string> {
  const { status } = reply.message;
  return await withCallerTx(services.database, caller, async (tx) => {
    const [row] = await tx.insert(chatMessages).values({
      id,
      sessionId: prepared.sessionId,
      userId: caller.userId,
      courseId: prepared.courseId,
      role: "assistant",
      ...reply.message,
    }).onConflictDoNothing({ target: chatMessages.id }).returning({ id: chatMessages.id });
    // Stored by an earlier try whose reply was lost: that try's transaction holds the audit too.
    if (!row) return id;
    if (status !== "failed") {
      await tx.update(chatSessions).set({ updatedAt: new Date() }).where(
        eq(chatSessions.id, prepared.sessionId),
      );
    }
    await recordAudit(tx, services.logger, "core", {
      action: "tutor.query",
      userId: caller.userId,
      target: `chat_session:${prepared.sessionId}`,
      metadata: {
        courseId: prepared.courseId,
        messageId: row.id,
        userMessageId: prepared.userMessageId,
        status,
        ...reply.audit,
      },
    });
    return row.id;
  });
}
