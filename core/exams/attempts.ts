/**
 * Attempts: start on the server clock (inside the window, within the attempts allowed), autosave, submit once (late
 * only when allowed), read (own, or the course's staff). Every access first submits attempts past their deadline.
 */
import { and, asc, eq } from "drizzle-orm";
import {
  afterCursor,
  fixedSort,
  orderOf,
  pageOf,
  type PageParams,
  sortKeyOf,
} from "../academics/pagination.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import { attemptAnswers, examAttempts } from "../../shared/db/schema/exams.ts";
import { enqueueJob } from "../../shared/jobs/enqueue.ts";
import type { ScopedContext } from "../academics/context.ts";
import { enqueueGrading, submitExpiredAttempts } from "../../shared/exams/deadlines.ts";
import { itemsOf, itemView, loadExam } from "./exams.ts";

type AttemptRow = typeof examAttempts.$inferSelect;

function attemptView(a: AttemptRow, showScore: boolean) {
  return {
    id: a.id,
    examId: a.examId,
    userId: a.userId,
    attemptNo: a.attemptNo,
    status: a.status,
    startedAt: a.startedAt.toISOString(),
    deadlineAt: a.deadlineAt?.toISOString() ?? null,
    submittedAt: a.submittedAt?.toISOString() ?? null,
    submitKind: a.submitKind,
    gradingJobId: a.gradingJobId,
    score: showScore ? a.score : null,
    maxScore: showScore ? a.maxScore : null,
  };
}

/**
 * Submits the caller's expired attempts (one attempt, or theirs at one exam) in a transaction of its own: routes call
 * it before the operation, so an operation that then fails (e.g. a late submit) does not roll the submission back.
 */
export async function submitExpired(ctx: ScopedContext, target: { attemptId: string } | { examId: string }) {
  await submitExpiredAttempts(
    ctx.tx,
    "attemptId" in target
      ? eq(examAttempts.id, target.attemptId)
      : and(eq(examAttempts.examId, target.examId), eq(examAttempts.userId, ctx.caller.userId)),
  );
}

/** Starts an attempt for the caller; answers with the exam's items (no keys) and the server's deadline. */
export async function startAttempt(ctx: ScopedContext, examId: string) {
  const exam = await loadExam(ctx, examId);
  const now = new Date();
  if (exam.status !== "published") throw new AppError(ErrorCode.CONFLICT, "The exam is not open");
  if (exam.opensAt && now < exam.opensAt) {
    throw new AppError(ErrorCode.CONFLICT, "The exam has not opened yet");
  }
  if (exam.closesAt && now >= exam.closesAt) throw new AppError(ErrorCode.CONFLICT, "The exam has closed");
  const mine = and(eq(examAttempts.examId, examId), eq(examAttempts.userId, ctx.caller.userId));
  await submitExpiredAttempts(ctx.tx, mine, now);
  const previous = await ctx.tx.select().from(examAttempts).where(mine).orderBy(asc(examAttempts.attemptNo));
  if (previous.some((a) => a.status === "in_progress")) {
    throw new AppError(ErrorCode.CONFLICT, "An attempt is already in progress");
  }
  if (previous.length >= exam.attemptsAllowed) {
    throw new AppError(ErrorCode.CONFLICT, `No attempts left (${exam.attemptsAllowed} allowed)`);
  }
  const limitEnd = exam.timeLimitMinutes ? new Date(now.getTime() + exam.timeLimitMinutes * 60_000) : null;
  // Without late submissions the window's close is a hard end as well.
  const windowEnd = exam.allowLate ? null : exam.closesAt;
  const ends = [limitEnd, windowEnd].filter((d): d is Date => d !== null);
  const deadlineAt = ends.length ? new Date(Math.min(...ends.map((d) => d.getTime()))) : null;
  const [attempt] = await ctx.tx.insert(examAttempts).values({
    examId,
    courseId: exam.courseId,
    userId: ctx.caller.userId,
    attemptNo: previous.length + 1,
    startedAt: now,
    deadlineAt,
  }).returning();
  if (deadlineAt) {
    await enqueueJob(ctx.tx, {
      type: "exams.autosubmit",
      payload: { attemptId: attempt.id },
      ownerUserId: ctx.caller.userId,
      scope: { facultyId: exam.facultyId, courseId: exam.courseId },
      runAfter: deadlineAt,
    });
  }
  const items = (await itemsOf(ctx, examId)).map((i) => itemView(i, false));
  return { ...attemptView(attempt, false), serverTime: now.toISOString(), items };
}

/** Loads an attempt the caller owns or manages (others: 404), after submitting it if its deadline passed. */
async function loadAttempt(ctx: ScopedContext, attemptId: string): Promise<AttemptRow> {
  await submitExpiredAttempts(ctx.tx, eq(examAttempts.id, attemptId));
  const [attempt] = await ctx.tx.select().from(examAttempts).where(eq(examAttempts.id, attemptId));
  if (!attempt) throw new AppError(ErrorCode.NOT_FOUND, "Attempt not found");
  if (attempt.userId !== ctx.caller.userId && !ctx.scope.canManageCourse(attempt.courseId)) {
    throw new AppError(ErrorCode.NOT_FOUND, "Attempt not found");
  }
  return attempt;
}

async function loadOwnOpenAttempt(ctx: ScopedContext, attemptId: string): Promise<AttemptRow> {
  const attempt = await loadAttempt(ctx, attemptId);
  if (attempt.userId !== ctx.caller.userId) throw new AppError(ErrorCode.FORBIDDEN, "Not your attempt");
  if (attempt.status !== "in_progress") {
    throw new AppError(ErrorCode.CONFLICT, "The attempt has already been submitted");
  }
  return attempt;
}

/** Saves answers of an attempt in progress (upsert per item). */
export async function saveAnswers(
  ctx: ScopedContext,
  attemptId: string,
  answers: { itemId: string; answer: string | null }[],
) {
  const attempt = await loadOwnOpenAttempt(ctx, attemptId);
  const items = new Set((await itemsOf(ctx, attempt.examId)).map((i) => i.id));
  const unknown = answers.find((a) => !items.has(a.itemId));
  if (unknown) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, `Item "${unknown.itemId}" is not on this exam`);
  }
  const now = new Date();
  for (const a of answers) {
    await ctx.tx.insert(attemptAnswers).values({
      attemptId,
      itemId: a.itemId,
      courseId: attempt.courseId,
      answer: a.answer,
      savedAt: now,
    }).onConflictDoUpdate({
      target: [attemptAnswers.attemptId, attemptAnswers.itemId],
      set: { answer: a.answer, savedAt: now },
    });
  }
  return {
    saved: answers.length,
    savedAt: now.toISOString(),
    deadlineAt: attempt.deadlineAt?.toISOString() ?? null,
  };
}

/** Submits an attempt once; after the window only when the exam allows late submissions. */
export async function submitAttempt(ctx: ScopedContext, attemptId: string) {
  const attempt = await loadOwnOpenAttempt(ctx, attemptId);
  const exam = await loadExam(ctx, attempt.examId);
  const now = new Date();
  const late = !!exam.closesAt && now > exam.closesAt;
  if (late && !exam.allowLate) throw new AppError(ErrorCode.CONFLICT, "The exam has closed");
  const [updated] = await ctx.tx.update(examAttempts).set({
    status: "submitted",
    submittedAt: now,
    submitKind: late ? "late" : "manual",
  }).where(and(eq(examAttempts.id, attemptId), eq(examAttempts.status, "in_progress"))).returning();
  if (!updated) throw new AppError(ErrorCode.CONFLICT, "The attempt has already been submitted");
  const jobId = await enqueueGrading(ctx.tx, updated);
  await ctx.audit({
    action: "exam.submit",
    target: `attempt:${attemptId}`,
    metadata: { examId: exam.id, kind: updated.submitKind },
  });
  return { attemptId, jobId };
}

/** An attempt with its answers; grades and keys for students only after release. */
export async function getAttempt(ctx: ScopedContext, attemptId: string) {
  const attempt = await loadAttempt(ctx, attemptId);
  const exam = await loadExam(ctx, attempt.examId);
  const staff = ctx.scope.canManageCourse(attempt.courseId);
  const revealed = staff || exam.status === "released";
  const answers = await ctx.tx.select().from(attemptAnswers).where(eq(attemptAnswers.attemptId, attemptId));
  const items = await itemsOf(ctx, attempt.examId);
  const byItem = new Map(answers.map((a) => [a.itemId, a]));
  return {
    ...attemptView(attempt, revealed),
    serverTime: new Date().toISOString(),
    items: items.map((item) => {
      const a = byItem.get(item.id);
      return {
        ...itemView(item, revealed),
        answerId: a?.id ?? null,
        answer: a?.answer ?? null,
        savedAt: a?.savedAt.toISOString() ?? null,
        ...(revealed
          ? {
            score: a?.score ?? null,
            justification: a?.justification ?? null,
            confidence: a?.confidence ?? null,
            gradedBy: a?.gradedBy ?? null,
            needsReview: a?.needsReview ?? false,
          }
          : {}),
      };
    }),
  };
}

/**
 * The caller's own attempts, newest first, of one exam or of every exam of one course: how the student's screens
 * know which exams they have started, may resume or have submitted. Expired attempts are submitted first, so a
 * listed `in_progress` attempt is one the student can still work on.
 */
export async function listOwnAttempts(
  ctx: ScopedContext,
  filter: { examId?: string; courseId?: string },
  page: PageParams,
) {
  const mine = and(
    eq(examAttempts.userId, ctx.caller.userId),
    filter.examId ? eq(examAttempts.examId, filter.examId) : undefined,
    filter.courseId ? eq(examAttempts.courseId, filter.courseId) : undefined,
  );
  const now = new Date();
  await submitExpiredAttempts(ctx.tx, mine, now);
  const sort = fixedSort("-startedAt", examAttempts.startedAt, "timestamptz", true);
  const rows = await ctx.tx.select({ row: examAttempts, id: examAttempts.id, sortKey: sortKeyOf(sort) })
    .from(examAttempts)
    .where(and(mine, afterCursor(sort, examAttempts.id, page.cursor)))
    .orderBy(...orderOf(sort, examAttempts.id)).limit(page.limit + 1);
  const cut = pageOf(rows, page.limit, sort);
  // Scores show only for exams whose results are released (the same rule as `getAttempt`).
  const released = new Set<string>();
  for (const examId of new Set(cut.rows.map((r) => r.row.examId))) {
    const exam = await loadExam(ctx, examId).catch(() => null);
    if (exam && (exam.status === "released" || ctx.scope.canManageCourse(exam.courseId))) {
      released.add(examId);
    }
  }
  return {
    items: cut.rows.map((r) => attemptView(r.row, released.has(r.row.examId))),
    nextCursor: cut.nextCursor,
  };
}
