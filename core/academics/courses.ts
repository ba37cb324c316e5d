/** Courses: read within the caller's scope; created and changed by admins and the faculty's academics. */
import { and, eq, getTableColumns, ilike, isNull, or } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import { courses, faculties, LANGUAGES, semesters } from "../../shared/db/schema/academics.ts";
import { errors } from "../../shared/errors.ts";
import { isUniqueViolation } from "../../shared/db/client.ts";
import { iso, type ScopedContext } from "./context.ts";
import { assertIncludeDeletedAllowed } from "./faculties.ts";
import { afterCursor, containsPattern, orderOf, pageOf, resolveSort, sortKeyOf } from "./pagination.ts";

/** A course as the API returns it. */
export const Course = z.object({
  id: z.uuid(),
  facultyId: z.uuid(),
  semesterId: z.uuid(),
  code: z.string(),
  title: z.string(),
  description: z.string(),
  language: z.enum(LANGUAGES),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
}).openapi("Course");
/** A course as the API returns it. */
export type Course = z.infer<typeof Course>;

/** Body of `POST /v1/courses`; the faculty is the semester's. */
export const CourseCreate = z.object({
  semesterId: z.uuid(),
  code: z.string().trim().min(1).max(32),
  title: z.string().trim().min(1).max(300),
  description: z.string().max(10_000).default(""),
  language: z.enum(LANGUAGES).default("en"),
}).openapi({
  example: {
    semesterId: "0b9f6c2e-5d1a-4c8e-9f3a-2b7d4e6a8c10",
    code: "ENG101",
    title: "Statics",
    description: "Forces, moments and equilibrium of rigid bodies.",
    language: "en",
  },
});
/** Body of `PATCH /v1/courses/:id`; a new semester must belong to the same faculty. */
export const CoursePatch = z.object({
  semesterId: z.uuid().optional(),
  code: z.string().trim().min(1).max(32).optional(),
  title: z.string().trim().min(1).max(300).optional(),
  description: z.string().max(10_000).optional(),
  language: z.enum(LANGUAGES).optional(),
});

const SORTS = {
  code: { column: courses.code, type: "text" },
  title: { column: courses.title, type: "text" },
  createdAt: { column: courses.createdAt, type: "timestamptz" },
} as const;

type Row = typeof courses.$inferSelect;

/** Maps a course row to its API shape. */
export function courseToApi(row: Row): Course {
  return {
    id: row.id,
    facultyId: row.facultyId,
    semesterId: row.semesterId,
    code: row.code,
    title: row.title,
    description: row.description,
    language: row.language,
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
    deletedAt: iso(row.deletedAt),
  };
}

/** Filters of `GET /v1/courses`. */
export interface CourseListQuery {
  limit: number;
  cursor?: string;
  sort?: string;
  facultyId?: string;
  semesterId?: string;
  language?: "ar" | "en";
  q?: string;
  includeDeleted: boolean;
}

/** Lists the courses the caller may read, by cursor, with filters. */
export async function listCourses(
  ctx: ScopedContext,
  query: CourseListQuery,
): Promise<{ items: Course[]; nextCursor: string | null }> {
  assertIncludeDeletedAllowed(ctx, query.includeDeleted);
  const sort = resolveSort(SORTS, query.sort, "code");
  const rows = await ctx.tx.select({ ...getTableColumns(courses), sortKey: sortKeyOf(sort) }).from(courses)
    .where(and(
      ctx.scope.readableCourseFilter(courses.id),
      query.includeDeleted ? undefined : isNull(courses.deletedAt),
      query.facultyId ? eq(courses.facultyId, query.facultyId) : undefined,
      query.semesterId ? eq(courses.semesterId, query.semesterId) : undefined,
      query.language ? eq(courses.language, query.language) : undefined,
      query.q
        ? or(ilike(courses.code, containsPattern(query.q)), ilike(courses.title, containsPattern(query.q)))
        : undefined,
      afterCursor(sort, courses.id, query.cursor),
    ))
    .orderBy(...orderOf(sort, courses.id)).limit(query.limit + 1);
  const page = pageOf(rows, query.limit, sort);
  return { items: page.rows.map(courseToApi), nextCursor: page.nextCursor };
}

/** A course the caller may read; 404 for anything outside their scope, so existence does not leak. */
export async function findReadableCourse(
  ctx: ScopedContext,
  id: string,
  includeDeleted = false,
): Promise<Row> {
  assertIncludeDeletedAllowed(ctx, includeDeleted);
  const [row] = await ctx.tx.select().from(courses).where(and(
    eq(courses.id, id),
    ctx.scope.readableCourseFilter(courses.id),
    includeDeleted ? undefined : isNull(courses.deletedAt),
  )).limit(1);
  if (!row) throw errors.notFound(`Course "${id}"`);
  return row;
}

/** A live course the caller may change: 404 outside their read scope, 403 when they only read it. */
export async function findManageableCourse(ctx: ScopedContext, id: string): Promise<Row> {
  const row = await findReadableCourse(ctx, id);
  if (!ctx.scope.canManageCourse(id)) throw errors.forbidden("You may not change this course");
  return row;
}

/** One course in the caller's scope. */
export async function getCourse(ctx: ScopedContext, id: string, includeDeleted = false): Promise<Course> {
  return courseToApi(await findReadableCourse(ctx, id, includeDeleted));
}

async function liveSemester(ctx: ScopedContext, semesterId: string) {
  const [semester] = await ctx.tx.select({ id: semesters.id, facultyId: semesters.facultyId }).from(semesters)
    .innerJoin(faculties, eq(faculties.id, semesters.facultyId))
    .where(and(eq(semesters.id, semesterId), isNull(semesters.deletedAt), isNull(faculties.deletedAt))).limit(
      1,
    );
  if (!semester) throw errors.badRequest(`Semester "${semesterId}" does not exist or is deleted`);
  return semester;
}

async function writeOrConflict<T>(code: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw errors.conflict(`A live course with code "${code}" exists in that semester`);
    }
    throw err;
  }
}

/** Creates a course in a semester of a faculty the caller manages. */
export async function createCourse(ctx: ScopedContext, input: z.infer<typeof CourseCreate>): Promise<Course> {
  const semester = await liveSemester(ctx, input.semesterId);
  if (!ctx.scope.canManageFaculty(semester.facultyId)) {
    throw errors.forbidden("You may create courses only in your own faculty");
  }
  const [row] = await writeOrConflict(
    input.code,
    () => ctx.tx.insert(courses).values({ ...input, facultyId: semester.facultyId }).returning(),
  );
  await ctx.audit({
    action: "course.create",
    target: `course:${row.id}`,
    metadata: { facultyId: row.facultyId, semesterId: row.semesterId, code: row.code },
  });
  return courseToApi(row);
}

/** Changes a course the caller manages. */
export async function updateCourse(
  ctx: ScopedContext,
  id: string,
  patch: z.infer<typeof CoursePatch>,
): Promise<Course> {
  const before = await findManageableCourse(ctx, id);
  if (Object.values(patch).every((v) => v === undefined)) return courseToApi(before);
  if (patch.semesterId && patch.semesterId !== before.semesterId) {
    const semester = await liveSemester(ctx, patch.semesterId);
    if (semester.facultyId !== before.facultyId) {
      throw errors.badRequest("A course moves only between semesters of its own faculty");
    }
  }
  const [row] = await writeOrConflict(
    patch.code ?? before.code,
    () => ctx.tx.update(courses).set(patch).where(eq(courses.id, id)).returning(),
  );
  await ctx.audit({
    action: "course.update",
    target: `course:${id}`,
    metadata: {
      before: {
        semesterId: before.semesterId,
        code: before.code,
        title: before.title,
        language: before.language,
      },
      after: patch,
    },
  });
  return courseToApi(row);
}

/**
 * Soft-deletes a course the caller manages. Its enrollments stay untouched (and stop granting access while the course
 * is deleted), so a restore brings the course back with its roster.
 */
export async function deleteCourse(ctx: ScopedContext, id: string): Promise<void> {
  await findManageableCourse(ctx, id);
  await ctx.tx.update(courses).set({ deletedAt: new Date() }).where(eq(courses.id, id));
  await ctx.audit({ action: "course.delete", target: `course:${id}` });
}

/** Restores a soft-deleted course (admins); its semester and faculty must be live. */
export async function restoreCourse(ctx: ScopedContext, id: string): Promise<Course> {
  if (!ctx.scope.isAdmin) throw errors.forbidden("Only admins restore deleted courses");
  const row = await findReadableCourse(ctx, id, true);
  if (!row.deletedAt) return courseToApi(row);
  await liveSemester(ctx, row.semesterId).catch(() => {
    throw errors.conflict("Restore the course's semester and faculty first");
  });
  const [restored] = await writeOrConflict(
    row.code,
    () => ctx.tx.update(courses).set({ deletedAt: null }).where(eq(courses.id, id)).returning(),
  );
  await ctx.audit({ action: "course.restore", target: `course:${id}` });
  return courseToApi(restored);
}
