/**
 * Time limits: an attempt still in progress at its deadline is submitted automatically with what was saved. Called
 * lazily on any access to an attempt or exam and by the `exams.autosubmit` job enqueued for each attempt's
 * deadline; both go through the same conditional update, so an attempt is submitted (and its grading enqueued) once.
 */
import { and, eq, isNotNull, lte, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { examAttempts, exams } from "../db/schema/exams.ts";
import { enqueueJob } from "../jobs/enqueue.ts";

/** Submits every in-progress attempt matching `where` whose deadline has passed; returns how many. */
export async function submitExpiredAttempts(
  db: Db,
  where: SQL | undefined,
  now = new Date(),
): Promise<number> {
  const expired = await db.update(examAttempts).set({
    status: "submitted",
    submitKind: "auto",
    // Submitted as of the deadline: what was saved by then is what counts.
    submittedAt: examAttempts.deadlineAt,
  }).where(and(
    eq(examAttempts.status, "in_progress"),
    isNotNull(examAttempts.deadlineAt),
    lte(examAttempts.deadlineAt, now),
    where,
  )).returning();
  for (const attempt of expired) await enqueueGrading(db, attempt);
  return expired.length;
}

/** Enqueues the grading job of a just-submitted attempt and records its id on the attempt. */
export async function enqueueGrading(
  db: Db,
  attempt: { id: string; examId: string; userId: string; courseId: string },
): Promise<string> {
  const [exam] = await db.select({ facultyId: exams.facultyId }).from(exams).where(
    eq(exams.id, attempt.examId),
  );
  const job = await enqueueJob(db, {
    type: "exams.grade",
    payload: { attemptId: attempt.id },
    ownerUserId: attempt.userId,
    scope: { facultyId: exam?.facultyId, courseId: attempt.courseId },
  });
  await db.update(examAttempts).set({ gradingJobId: job.id }).where(eq(examAttempts.id, attempt.id));
  return job.id;
}
