import { errors } from "../../shared/errors.ts";
import type { ScopedContext } from "../academics/context.ts";

/** Course insight is for the course's instructors and admins; others learn only that it is not theirs. */
export function assertCourseInsight(ctx: ScopedContext, courseId: string): void {
  if (!ctx.scope.canReadCourse(courseId)) throw errors.notFound("Course");
  if (!ctx.scope.canManageCourse(courseId)) {
    throw errors.forbidden("Only the course's instructors and admins see its insight");
  }
}

/** Start of the UTC day `days` days before `now`'s day. */
export function daysAgo(now: Date, days: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days));
}
