/** Which courses a course or semester search covers for a caller: only those their scope may read. */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../shared/db/client.ts";
import { courses } from "../../shared/db/schema/academics.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import type { Scope } from "../scope/scope.ts";

/** A search request as the API takes it. */
export interface CourseSearchRequest {
  courseId?: string;
  semesterId?: string;
  query: string;
  k: number;
}

/** The courses a request covers for this caller; 404 when the course or semester is outside their reach. */
export async function searchableCourses(
  tx: Db,
  scope: Scope,
  request: CourseSearchRequest,
): Promise<string[]> {
  if (request.courseId) {
    if (!scope.canReadCourse(request.courseId)) {
      throw new AppError(ErrorCode.NOT_FOUND, `Course "${request.courseId}" was not found`);
    }
    return [request.courseId];
  }
  const semesterId = request.semesterId!;
  const semesters = scope.readableSemesterIds;
  if (semesters !== "all" && !semesters.has(semesterId)) {
    throw new AppError(ErrorCode.NOT_FOUND, `Semester "${semesterId}" was not found`);
  }
  const rows = await tx.select({ id: courses.id }).from(courses).where(and(
    eq(courses.semesterId, semesterId),
    isNull(courses.deletedAt),
    scope.readableCourseFilter(courses.id),
  ));
  return rows.map((r) => r.id).sort();
}
