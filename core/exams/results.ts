/**
 * After grading: the instructor's review queue of low-confidence grades, overrides (audited), and results (per
 * student, and per-item difficulty, discrimination and option choices for staff; a student's own after release).
 */
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import {
  afterCursor,
  fixedSort,
  orderOf,
  pageOf,
  type PageParams,
  sortKeyOf,
} from "../academics/pagination.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import { attemptAnswers, examAttempts, examItems } from "../../shared/db/schema/exams.ts";
import { users } from "../../shared/db/schema/users.ts";
import type { ScopedContext } from "../academics/context.ts";
import { itemStatistics, optionChoices } from "../../shared/exams/grading.ts";
import { loadExam } from "./exams.ts";

/** Answers of an exam that need the instructor's look, oldest first. */
export async function reviewQueue(ctx: ScopedContext, examId: string, page: PageParams) {
  await loadExam(ctx, examId, true);
  const sort = fixedSort("savedAt", attemptAnswers.savedAt, "timestamptz", false);
  const rows = await ctx.tx.select({
    id: attemptAnswers.id,
    sortKey: sortKeyOf(sort),
    answerId: attemptAnswers.id,
    attemptId: attemptAnswers.attemptId,
    userId: examAttempts.userId,
    itemId: examItems.id,
    question: examItems.question,
    answerKey: examItems.answerKey,
    points: examItems.points,
    answer: attemptAnswers.answer,
    score: attemptAnswers.score,
    confidence: attemptAnswers.confidence,
    justification: attemptAnswers.justification,
    gradedBy: attemptAnswers.gradedBy,
  }).from(attemptAnswers)
    .innerJoin(examAttempts, eq(examAttempts.id, attemptAnswers.attemptId))
    .innerJoin(examItems, eq(examItems.id, attemptAnswers.itemId))
    .where(and(
      eq(examAttempts.examId, examId),
      eq(attemptAnswers.needsReview, true),
      afterCursor(sort, attemptAnswers.id, page.cursor),
    ))
    .orderBy(...orderOf(sort, attemptAnswers.id)).limit(page.limit + 1);
  const cut = pageOf(rows, page.limit, sort);
  return { items: cut.rows.map(({ id: _id, sortKey: _key, ...item }) => item), nextCursor: cut.nextCursor };
}

/** Sets an answer's score by hand (any answer of a graded attempt), recomputes the attempt's total, audits it. */
export async function overrideGrade(
  ctx: ScopedContext,
  answerId: string,
  input: { score: number; justification?: string },
) {
  const [row] = await ctx.tx.select({
    answer: attemptAnswers,
    attempt: examAttempts,
    points: examItems.points,
  })
    .from(attemptAnswers)
    .innerJoin(examAttempts, eq(examAttempts.id, attemptAnswers.attemptId))
    .innerJoin(examItems, eq(examItems.id, attemptAnswers.itemId))
    .where(eq(attemptAnswers.id, answerId));
  if (!row || !ctx.scope.canReadCourse(row.attempt.courseId)) {
    throw new AppError(ErrorCode.NOT_FOUND, "Answer not found");
  }
  if (!ctx.scope.canManageCourse(row.attempt.courseId)) {
    throw new AppError(ErrorCode.FORBIDDEN, "Only the course's instructors may override grades");
  }
  if (row.attempt.status !== "graded") {
    throw new AppError(ErrorCode.CONFLICT, "The attempt is not graded yet");
  }
  if (input.score > row.points) {
    throw new AppError(
      ErrorCode.VALIDATION_FAILED,
      `The score may not exceed the item's ${row.points} points`,
    );
  }
  const now = new Date();
  await ctx.tx.update(attemptAnswers).set({
    score: input.score,
    justification: input.justification ?? row.answer.justification,
    gradedBy: "instructor",
    needsReview: false,
    overriddenBy: ctx.caller.userId,
    overriddenAt: now,
  }).where(eq(attemptAnswers.id, answerId));
  const answers = await ctx.tx.select({ score: attemptAnswers.score }).from(attemptAnswers)
    .where(eq(attemptAnswers.attemptId, row.attempt.id));
  const total = answers.reduce((s, a) => s + (a.score ?? 0), 0);
  await ctx.tx.update(examAttempts).set({ score: total }).where(eq(examAttempts.id, row.attempt.id));
  await ctx.audit({
    action: "exam.grade_override",
    target: `answer:${answerId}`,
    metadata: { attemptId: row.attempt.id, from: row.answer.score, to: input.score },
  });
  return { answerId, score: input.score, attemptScore: total };
}

/** Results: staff see every graded attempt and item statistics; a student sees their own once released. */
export async function examResults(ctx: ScopedContext, examId: string) {
  const exam = await loadExam(ctx, examId);
  const staff = ctx.scope.canManageCourse(exam.courseId);
  if (!staff && exam.status !== "released") {
    throw new AppError(ErrorCode.FORBIDDEN, "Results are not released yet");
  }
  const attempts = await ctx.tx.select({
    attempt: examAttempts,
    email: users.email,
  }).from(examAttempts).innerJoin(users, eq(users.id, examAttempts.userId))
    .where(and(
      eq(examAttempts.examId, examId),
      staff ? undefined : eq(examAttempts.userId, ctx.caller.userId),
    ))
    .orderBy(asc(examAttempts.userId), asc(examAttempts.attemptNo));
  const students = attempts.map(({ attempt, email }) => ({
    attemptId: attempt.id,
    userId: attempt.userId,
    email,
    attemptNo: attempt.attemptNo,
    status: attempt.status,
    submitKind: attempt.submitKind,
    score: attempt.score,
    maxScore: attempt.maxScore,
  }));
  if (!staff) return { examId, attempts: students };
  const items = await ctx.tx.select().from(examItems)
    .where(and(eq(examItems.examId, examId), isNull(examItems.deletedAt)));
  const points = new Map(items.map((i) => [i.id, i.points]));
  const graded = attempts.filter((a) => a.attempt.status === "graded").map((a) => a.attempt.id);
  const answers = graded.length
    ? await ctx.tx.select().from(attemptAnswers).where(inArray(attemptAnswers.attemptId, graded))
    : [];
  const statistics = itemStatistics(
    answers.filter((a) => points.has(a.itemId)).map((a) => ({
      attemptId: a.attemptId,
      itemId: a.itemId,
      score: (a.score ?? 0) / (points.get(a.itemId) || 1),
    })),
  );
  // Distractor analysis: which option each graded answer picked, per choice item.
  const choices = new Map(optionChoices(items, answers).map((c) => [c.itemId, c]));
  return {
    examId,
    attempts: students,
    items: statistics.map((s) => ({
      ...s,
      choices: choices.get(s.itemId)?.choices ?? null,
      otherChoices: choices.get(s.itemId)?.other ?? null,
    })),
  };
}
