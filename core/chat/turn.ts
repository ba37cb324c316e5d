/**
 * One chat turn, persisted around the tutor pipeline: the student's message is stored (after scope and quota
 * checks) before generation starts; the answer is stored when generation ends — complete, `interrupted` (client
 * gone; what was produced is kept) or `failed` (the error is kept, so the session shows the failed turn). Each turn
 * is audited as `tutor.query` with the cited chunks. No HTTP here: the route maps the events to JSON or SSE.
 */
import { aiMetricsOf } from "../../shared/ai_metrics.ts";
import { queryRows, sql } from "../../shared/db/client.ts";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "../../shared/db/unavailable.ts";
import { chatMessages } from "../../shared/db/schema/chat.ts";
import { recordAudit } from "../../shared/audit/audit.ts";
import { AppError, ErrorCode, errors } from "../../shared/errors.ts";
import type { Identity } from "../../shared/identity.ts";
import { withCallerTx } from "../scope/caller_tx.ts";
import type { CoreServices } from "../services.ts";
import { streamTutorTurn, type TutorEvent, type TutorTurnResult } from "../../shared/tutor/pipeline.ts";
import { HybridRetriever } from "../../shared/tutor/retriever/hybrid.ts";
import type { AnswerPolicy, Citation, TutorLanguage, TutorTurn } from "../../shared/tutor/types.ts";
import { DEFAULT_ANSWER_POLICY } from "./policy.ts";
import { assertWithinQuota, ownSessionQuota } from "./quota.ts";
import type { OpenExam } from "../../shared/tutor/exam_lockout/interface.ts";

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
  /** The course's open exams, read with the turn (the tutor's lock-out; empty when none or turned off). */
  openExams?: OpenExam[];
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

/**
 * Checks scope and quota, reads policy, history, corpus version and the course's open exams, and stores the student's
 * message: one transaction, so one connection from the pool and five statements (a turn's fixed cost at load is the
 * pool's queue, docs/load.md). First, as the database owner (a course quota counts other users' messages; exam items
 * are not the student's to read): the session's owner and today's counts in one statement, then the exam lock-out;
 * then, as the caller, the session with its course context and recent history, the course's readability (the same
 * test as the message's row-level security) and the stored question, in one statement.
 */
export async function prepareTurn(
  services: CoreServices,
  caller: Identity,
  sessionId: string,
  question: string,
): Promise<PreparedTurn> {
  let openExams: OpenExam[] = [];
  return await withCallerTx(services.chatDatabase, caller, async (tx) => {
    const [session] = await queryRows<{
      id: string;
      course_id: string;
      policy: AnswerPolicy | null;
      corpus_version: number | null;
      course_title: string | null;
      language: TutorLanguage | null;
      readable: boolean;
      recent: RecentMessage[] | string | null;
      user_message_id: string | null;
    }>(
      tx,
      sql`with s as (
            select s.id, s.course_id,
              (select p.answer_policy from course_tutor_settings p
                where p.course_id = s.course_id and p.deleted_at is null limit 1) as policy,
              (select v.version from course_corpus_versions v where v.course_id = s.course_id) as corpus_version,
              (select c.title from courses c where c.id = s.course_id) as course_title,
              (select u.preferred_language from user_profiles u
                where u.user_id = s.user_id and u.deleted_at is null limit 1) as language,
              coalesce((select app_is_admin()) or (s.course_id = any ((select app_readable_course_ids())::uuid[])
                and exists (select 1 from courses c where c.id = s.course_id and c.deleted_at is null)), false)
                as readable,
              (select coalesce(json_agg(r order by r.created_at desc), '[]'::json) from (
                select m.role, m.content, m.citations, m.refusal, m.status, m.created_at from chat_messages m
                where m.session_id = s.id and m.deleted_at is null order by m.created_at desc limit 20) r) as recent
            from chat_sessions s
            where s.id = ${sessionId}::uuid and s.user_id = ${caller.userId}::uuid and s.deleted_at is null
          ), stored as (
            insert into chat_messages (session_id, user_id, course_id, role, content)
            select s.id, ${caller.userId}::uuid, s.course_id, 'user', ${question} from s where s.readable
            returning id
          ), touched as (
            update chat_sessions set updated_at = ${new Date().toISOString()}::timestamptz
            where id = (select s.id from s where s.readable)
          )
          select s.*, (select stored.id from stored) as user_message_id from s`,
    );
    if (!session) throw errors.notFound("Chat session");
    // Access is checked per question, not only at session creation: a dropped enrollment ends the chat.
    if (!session.readable || !session.user_message_id) {
      throw new AppError(ErrorCode.FORBIDDEN, "You no longer have access to this session's course");
    }
    const recent: RecentMessage[] = typeof session.recent === "string"
      ? JSON.parse(session.recent)
      : session.recent ?? [];
    return {
      sessionId: session.id,
      courseId: session.course_id,
      courseTitle: session.course_title ?? undefined,
      userMessageId: session.user_message_id,
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
      openExams,
    };
  }, {
    asOwner: async (tx) => {
      // Always checked: a course's own quota (its tutor policy) applies to every role. A session that is not the
      // caller's is left to the caller's statement (404).
      const owned = await ownSessionQuota(tx, services.env, caller, sessionId);
      if (!owned) return;
      try {
        assertWithinQuota(owned);
      } catch (err) {
        if (err instanceof AppError && err.code === ErrorCode.QUOTA_EXCEEDED) {
          const scope = (err.details as { quota?: string } | undefined)?.quota === "course"
            ? "course"
            : "role";
          aiMetricsOf(services.metrics.registry).chatQuotaExceeded.inc({ scope });
        }
        throw err;
      }
      openExams = await services.examLockout.activeExamsFor(owned.courseId, tx);
    },
  });
}

/** A recent message of the session as the turn's statement returns it (newest first). */
interface RecentMessage {
  role: "user" | "assistant";
  content: string;
  citations: unknown;
  refusal: string | null;
  status: string;
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
      database: services.chatDatabase,
      vectorStore: services.documents.vectorStore,
      embedder: services.documents.embedder,
      logger: services.logger,
      metrics: services.metrics.registry,
    }),
    model: services.tutorModel,
    // Read in the turn's transaction already; a turn prepared elsewhere asks the service.
    examLockout: prepared.openExams
      ? { activeExamsFor: () => Promise.resolve(prepared.openExams!) }
      : services.examLockout,
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
  return await withCallerTx(services.chatDatabase, caller, async (tx) => {
    // The answer and, unless it failed, the session's move up the list, in one statement.
    const insert = tx.insert(chatMessages).values({
      id,
      sessionId: prepared.sessionId,
      userId: caller.userId,
      courseId: prepared.courseId,
      role: "assistant",
      ...reply.message,
    }).onConflictDoNothing({ target: chatMessages.id }).returning({ id: chatMessages.id });
    const [row] = await queryRows<{ id: string }>(
      tx,
      sql`with stored as (${insert.getSQL()}), touched as (
            update chat_sessions set updated_at = ${new Date().toISOString()}::timestamptz
            where id = ${prepared.sessionId}::uuid and ${
        status !== "failed"
      } and exists (select 1 from stored)
          )
          select id from stored`,
    );
    // Stored by an earlier try whose reply was lost: that try's transaction holds the audit too.
    if (!row) return id;
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
