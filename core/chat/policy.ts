/** The per-course answer policy instructors set; a course without a setting answers `direct`. */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../shared/db/client.ts";
import { courseTutorSettings } from "../../shared/db/schema/chat.ts";
import { errors } from "../../shared/errors.ts";
import type { ScopedContext } from "../academics/context.ts";
import { findReadableCourse } from "../academics/courses.ts";
import type { AnswerPolicy } from "../tutor/types.ts";

/** The policy of a course without a setting. */
export const DEFAULT_ANSWER_POLICY: AnswerPolicy = "direct";

/** The course's answer policy. */
export async function answerPolicyOf(db: Db, courseId: string): Promise<AnswerPolicy> {
  const [row] = await db.select({ policy: courseTutorSettings.answerPolicy }).from(courseTutorSettings)
    .where(and(eq(courseTutorSettings.courseId, courseId), isNull(courseTutorSettings.deletedAt))).limit(1);
  return row?.policy ?? DEFAULT_ANSWER_POLICY;
}

/** Reads a course's policy (any reader of the course). */
export async function getTutorPolicy(ctx: ScopedContext, courseId: string): Promise<AnswerPolicy> {
  // The course must exist and be live, not only be in scope (an admin's scope is every id).
  await findReadableCourse(ctx, courseId);
  return await answerPolicyOf(ctx.tx, courseId);
}

/** Sets a course's policy: its managers (instructors, faculty academics) and admins; readers get 403, others 404. */
export async function setTutorPolicy(
  ctx: ScopedContext,
  courseId: string,
  policy: AnswerPolicy,
): Promise<AnswerPolicy> {
  await findReadableCourse(ctx, courseId);
  if (!ctx.scope.canManageCourse(courseId)) {
    throw errors.forbidden("Only the course's instructors may set its tutor policy");
  }
  await ctx.tx.insert(courseTutorSettings).values({
    courseId,
    answerPolicy: policy,
    updatedBy: ctx.caller.userId,
  })
    .onConflictDoUpdate({
      target: courseTutorSettings.courseId,
      set: { answerPolicy: policy, updatedBy: ctx.caller.userId, deletedAt: null, updatedAt: new Date() },
    });
  await ctx.audit({ action: "tutor.policy.set", target: `course:${courseId}`, metadata: { policy } });
  return policy;
}
