/**
 * The per-course tutor policy instructors set: the answer policy (a course without a setting answers `direct`), the
 * course's daily question quota (null: the server's, 0: none) and whether the tutor refuses questions about an open
 * exam of the course (on unless turned off).
 */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../shared/db/client.ts";
import { courseTutorSettings } from "../../shared/db/schema/chat.ts";
import { errors } from "../../shared/errors.ts";
import type { ScopedContext } from "../academics/context.ts";
import { findReadableCourse } from "../academics/courses.ts";
import type { AnswerPolicy } from "../../shared/tutor/types.ts";

/** The policy of a course without a setting. */
export const DEFAULT_ANSWER_POLICY: AnswerPolicy = "direct";

/** The course's answer policy. */
export async function answerPolicyOf(db: Db, courseId: string): Promise<AnswerPolicy> {
  const [row] = await db.select({ policy: courseTutorSettings.answerPolicy }).from(courseTutorSettings)
    .where(and(eq(courseTutorSettings.courseId, courseId), isNull(courseTutorSettings.deletedAt))).limit(1);
  return row?.policy ?? DEFAULT_ANSWER_POLICY;
}

/** A course's whole tutor policy. */
export interface TutorPolicy {
  policy: AnswerPolicy;
  /** The course's own daily question quota (all users together); null follows the server's, 0 means none. */
  dailyQuestionQuota: number | null;
  /** Whether the tutor refuses questions about an exam of the course while it is open. */
  lockoutDuringExams: boolean;
}

/** The settings row of a course, or the defaults. */
export async function tutorPolicyOf(db: Db, courseId: string): Promise<TutorPolicy> {
  const [row] = await db.select({
    policy: courseTutorSettings.answerPolicy,
    dailyQuestionQuota: courseTutorSettings.dailyQuestionQuota,
    lockoutDuringExams: courseTutorSettings.lockoutDuringExams,
  }).from(courseTutorSettings)
    .where(and(eq(courseTutorSettings.courseId, courseId), isNull(courseTutorSettings.deletedAt))).limit(1);
  return row ?? { policy: DEFAULT_ANSWER_POLICY, dailyQuestionQuota: null, lockoutDuringExams: true };
}

/** Reads a course's policy (any reader of the course). */
export async function getTutorPolicy(ctx: ScopedContext, courseId: string): Promise<TutorPolicy> {
  // The course must exist and be live, not only be in scope (an admin's scope is every id).
  await findReadableCourse(ctx, courseId);
  return await tutorPolicyOf(ctx.tx, courseId);
}

/**
 * Sets a course's policy (fields left out keep their value): its managers (instructors, faculty academics) and
 * admins; readers get 403, others 404.
 */
export async function updateTutorPolicy(
  ctx: ScopedContext,
  courseId: string,
  patch: Partial<TutorPolicy>,
): Promise<TutorPolicy> {
  await findReadableCourse(ctx, courseId);
  if (!ctx.scope.canManageCourse(courseId)) {
    throw errors.forbidden("Only the course's instructors may set its tutor policy");
  }
  const next = { ...await tutorPolicyOf(ctx.tx, courseId), ...patch };
  const values = {
    answerPolicy: next.policy,
    dailyQuestionQuota: next.dailyQuestionQuota,
    lockoutDuringExams: next.lockoutDuringExams,
    updatedBy: ctx.caller.userId,
  };
  await ctx.tx.insert(courseTutorSettings).values({ courseId, ...values })
    .onConflictDoUpdate({
      target: courseTutorSettings.courseId,
      set: { ...values, deletedAt: null, updatedAt: new Date() },
    });
  await ctx.audit({ action: "tutor.policy.set", target: `course:${courseId}`, metadata: { ...patch } });
  return next;
}
