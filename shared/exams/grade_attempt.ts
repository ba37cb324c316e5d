/**
 * Grading of one submitted attempt (run by the `exams.grade` job). Grades are computed first (a model may be slow),
 * then written with the attempt's `graded` status and the instructor's notification in one transaction that first
 * locks the attempt and checks it is still `submitted`: a re-run after a crash, or a duplicate delivery, grades
 * nothing twice.
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { attemptAnswers, examAttempts, examItems, exams } from "../db/schema/exams.ts";
import { enqueueJob } from "../jobs/enqueue.ts";
import { type Grade, gradeObjective } from "./grading.ts";
import type { ShortAnswerGrader } from "./short_answer_grader.ts";

/** Below this confidence an answer goes to the instructor's review queue. */
export const REVIEW_CONFIDENCE = 0.6;

/** What a grading run did. */
export interface GradingOutcome {
  status: "graded" | "skipped";
  score?: number;
  maxScore?: number;
  needsReview?: number;
}

/** Grades an attempt in status `submitted`; anything else is left alone. */
export async function gradeAttempt(
  db: Db,
  attemptId: string,
  grader: ShortAnswerGrader,
): Promise<GradingOutcome> {
  const [attempt] = await db.select().from(examAttempts).where(eq(examAttempts.id, attemptId));
  if (!attempt || attempt.status !== "submitted") return { status: "skipped" };
  const items = await db.select().from(examItems)
    .where(and(eq(examItems.examId, attempt.examId), isNull(examItems.deletedAt)))
    .orderBy(asc(examItems.ordinal));
  const saved = await db.select().from(attemptAnswers).where(eq(attemptAnswers.attemptId, attemptId));
  const byItem = new Map(saved.map((a) => [a.itemId, a]));
  const grades: {
    item: typeof items[number];
    answer: string | null;
    grade: Grade;
    gradedBy: "auto" | "model";
  }[] = [];
  for (const item of items) {
    const answer = byItem.get(item.id)?.answer ?? null;
    const grade = item.type === "short_answer"
      ? await grader.grade({
        question: item.question,
        answerKey: item.answerKey,
        answer,
        explanation: item.explanation,
      })
      : gradeObjective(item.answerKey, answer);
    const byModel = item.type === "short_answer" && grader.name === "model" && !!answer?.trim();
    grades.push({ item, answer, grade, gradedBy: byModel ? "model" as const : "auto" as const });
  }
  const score = grades.reduce((sum, g) => sum + g.grade.score * g.item.points, 0);
  const maxScore = items.reduce((sum, i) => sum + i.points, 0);
  const needsReview = grades.filter((g) => g.grade.confidence < REVIEW_CONFIDENCE).length;

  const wrote = await db.transaction(async (tx) => {
    const [locked] = await tx.select({ status: examAttempts.status }).from(examAttempts)
      .where(eq(examAttempts.id, attemptId)).for("update");
    if (locked?.status !== "submitted") return false;
    for (const g of grades) {
      const values = {
        score: g.grade.score * g.item.points,
        confidence: g.grade.confidence,
        justification: g.grade.justification,
        gradedBy: g.gradedBy,
        needsReview: g.grade.confidence < REVIEW_CONFIDENCE,
      };
      await tx.insert(attemptAnswers).values({
        attemptId,
        itemId: g.item.id,
        courseId: attempt.courseId,
        answer: g.answer,
        ...values,
      }).onConflictDoUpdate({ target: [attemptAnswers.attemptId, attemptAnswers.itemId], set: values });
    }
    await tx.update(examAttempts).set({ status: "graded", score, maxScore, gradedAt: new Date() })
      .where(eq(examAttempts.id, attemptId));
    const [exam] = await tx.select().from(exams).where(eq(exams.id, attempt.examId));
    if (exam?.createdBy) {
      await enqueueJob(tx, {
        type: "notifications.deliver",
        payload: {
          userId: exam.createdBy,
          kind: "exam.attempt_graded",
          title: `An attempt at "${exam.title}" was graded`,
          body: needsReview ? `${needsReview} answers need your review.` : "No answer needs review.",
          data: { examId: exam.id, attemptId, needsReview },
        },
        ownerUserId: exam.createdBy,
        scope: { facultyId: exam.facultyId, courseId: exam.courseId },
      });
    }
    return true;
  });
  return wrote ? { status: "graded", score, maxScore, needsReview } : { status: "skipped" };
}
