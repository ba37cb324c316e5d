/** Enrollments: who takes part in a course and as what. Managed by admins and the course's managers. */
import { and, eq, getTableColumns, isNull } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import { COURSE_ROLES, enrollments } from "../../shared/db/schema/academics.ts";
import { users } from "../../shared/db/schema/users.ts";
import { AppError, ErrorCode, errors } from "../../shared/errors.ts";
import { isUniqueViolation } from "../../shared/db/client.ts";
import { iso, type ScopedContext } from "./context.ts";
import { findManageableCourse, findReadableCourse } from "./courses.ts";
import { assertIncludeDeletedAllowed } from "./faculties.ts";
import { afterCursor, orderOf, pageOf, resolveSort, sortKeyOf } from "./pagination.ts";

/** A role inside a course. */
export type CourseRole = typeof COURSE_ROLES[number];

/** An enrollment as the API returns it. */
export const Enrollment = z.object({
  id: z.uuid(),
  courseId: z.uuid(),
  userId: z.uuid(),
  email: z.string(),
  role: z.enum(COURSE_ROLES),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
}).openapi("Enrollment");
/** An enrollment as the API returns it. */
export type Enrollment = z.infer<typeof Enrollment>;

/** Body of `POST /v1/courses/:id/enrollments`: the user by email or id. */
export const EnrollmentCreate = z.object({
  email: z.string().trim().toLowerCase().max(320).optional(),
  userId: z.uuid().optional(),
  role: z.enum(COURSE_ROLES).default("student"),
}).refine((b) => (b.email ? 1 : 0) + (b.userId ? 1 : 0) === 1, {
  message: "Give exactly one of email or userId",
}).openapi({ example: { email: "student@uni.example", role: "student" } });
/** Body of `PATCH /v1/courses/:id/enrollments/:enrollmentId`. */
export const EnrollmentPatch = z.object({ role: z.enum(COURSE_ROLES) });

const SORTS = {
  createdAt: { column: enrollments.createdAt, type: "timestamptz" },
  email: { column: users.email, type: "text" },
} as const;

const columns = { ...getTableColumns(enrollments), email: users.email };
type Row = typeof enrollments.$inferSelect & { email: string };

function toApi(row: Row): Enrollment {
  return {
    id: row.id,
    courseId: row.courseId,
    userId: row.userId,
    email: row.email,
    role: row.role,
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
    deletedAt: iso(row.deletedAt),
  };
}

/**
 * Platform role a user needs for a course role: instructors are academics; students are students or academics
 * (sitting in on a course). Admins are never enrolled: they see every course anyway.
 */
export function roleProblem(platformRole: string, courseRole: CourseRole): string | null {
  if (courseRole === "instructor" && platformRole !== "ACADEMIC") return "Only academics can be instructors";
  if (platformRole === "ADMIN") return "Admins are not enrolled in courses";
  return null;
}

/** Lists a managed course's enrollments by cursor, filtered by course role. */
export async function listEnrollments(
  ctx: ScopedContext,
  courseId: string,
  query: { limit: number; cursor?: string; sort?: string; role?: CourseRole; includeDeleted: boolean },
): Promise<{ items: Enrollment[]; nextCursor: string | null }> {
  assertIncludeDeletedAllowed(ctx, query.includeDeleted);
  await findManageableCourse(ctx, courseId);
  const sort = resolveSort(SORTS, query.sort, "createdAt");
  const rows = await ctx.tx.select({ ...columns, sortKey: sortKeyOf(sort) }).from(enrollments)
    .innerJoin(users, eq(users.id, enrollments.userId))
    .where(and(
      eq(enrollments.courseId, courseId),
      query.includeDeleted ? undefined : isNull(enrollments.deletedAt),
      query.role ? eq(enrollments.role, query.role) : undefined,
      afterCursor(sort, enrollments.id, query.cursor),
    ))
    .orderBy(...orderOf(sort, enrollments.id)).limit(query.limit + 1);
  const page = pageOf(rows, query.limit, sort);
  return { items: page.rows.map(toApi), nextCursor: page.nextCursor };
}

async function findEnrollment(
  ctx: ScopedContext,
  courseId: string,
  id: string,
  includeDeleted: boolean,
): Promise<Row> {
  const [row] = await ctx.tx.select(columns).from(enrollments).innerJoin(
    users,
    eq(users.id, enrollments.userId),
  )
    .where(and(
      eq(enrollments.id, id),
      eq(enrollments.courseId, courseId),
      includeDeleted ? undefined : isNull(enrollments.deletedAt),
    )).limit(1);
  if (!row) throw errors.notFound(`Enrollment "${id}"`);
  return row;
}

/** An email without an account was invited instead of enrolled. */
export const InvitationSent = z.object({
  invited: z.literal(true),
  invitationId: z.uuid(),
  email: z.string(),
  role: z.enum(COURSE_ROLES),
  expiresAt: z.string(),
}).openapi("InvitationSent");

/**
 * Invites an email that has no account to a course (accounts own invitations and their mail; academics only asks).
 * Returns null when the mail limits refused it.
 */
export type InviteUnknown = (
  tx: ScopedContext["tx"],
  request: { email: string; courseId: string; courseTitle: string; role: CourseRole },
) => Promise<{ invitationId: string; expiresAt: Date } | null>;

/**
 * Enrolls one user (by email or id) in a managed course. An email with no account is invited instead when
 * `inviteUnknown` is given: accepting the invitation creates the account already enrolled.
 */
export async function createEnrollment(
  ctx: ScopedContext,
  courseId: string,
  input: z.infer<typeof EnrollmentCreate>,
  inviteUnknown?: InviteUnknown,
): Promise<Enrollment | z.infer<typeof InvitationSent>> {
  const course = await findManageableCourse(ctx, courseId);
  const [user] = await ctx.tx.select({ id: users.id, email: users.email, role: users.role }).from(users)
    .where(and(
      input.userId ? eq(users.id, input.userId) : eq(users.email, input.email!),
      isNull(users.deletedAt),
    )).limit(1);
  if (!user && input.email && inviteUnknown) {
    const sent = await inviteUnknown(ctx.tx, {
      email: input.email,
      courseId,
      courseTitle: course.title,
      role: input.role,
    });
    if (!sent) {
      throw new AppError(ErrorCode.RATE_LIMITED, `Too many invitations to "${input.email}"; try again later`);
    }
    return {
      invited: true,
      invitationId: sent.invitationId,
      email: input.email,
      role: input.role,
      expiresAt: sent.expiresAt.toISOString(),
    };
  }
  if (!user) throw errors.badRequest(`No user "${input.userId ?? input.email}"`);
  const problem = roleProblem(user.role, input.role);
  if (problem) throw errors.badRequest(problem);
  const [row] = await ctx.tx.insert(enrollments).values({ userId: user.id, courseId, role: input.role })
    .onConflictDoNothing().returning();
  if (!row) throw errors.conflict(`"${user.email}" is already enrolled in this course`);
  await ctx.audit({
    action: "enrollment.create",
    target: `course:${courseId}`,
    metadata: { enrollmentId: row.id, userId: user.id, role: row.role },
  });
  return toApi({ ...row, email: user.email });
}

/** Changes a user's role in a managed course. */
export async function updateEnrollment(
  ctx: ScopedContext,
  courseId: string,
  id: string,
  patch: z.infer<typeof EnrollmentPatch>,
): Promise<Enrollment> {
  await findManageableCourse(ctx, courseId);
  const before = await findEnrollment(ctx, courseId, id, false);
  if (before.role === patch.role) return toApi(before);
  const [user] = await ctx.tx.select({ role: users.role }).from(users).where(eq(users.id, before.userId));
  const problem = roleProblem(user.role, patch.role);
  if (problem) throw errors.badRequest(problem);
  const [row] = await ctx.tx.update(enrollments).set({ role: patch.role }).where(eq(enrollments.id, id))
    .returning();
  await ctx.audit({
    action: "enrollment.role_change",
    target: `course:${courseId}`,
    metadata: { enrollmentId: id, userId: before.userId, from: before.role, to: patch.role },
  });
  return toApi({ ...row, email: before.email });
}

/** Soft-deletes an enrollment of a managed course; returns whose it was (to end their cached access). */
export async function deleteEnrollment(
  ctx: ScopedContext,
  courseId: string,
  id: string,
): Promise<{ userId: string }> {
  await findManageableCourse(ctx, courseId);
  const row = await findEnrollment(ctx, courseId, id, false);
  await ctx.tx.update(enrollments).set({ deletedAt: new Date() }).where(eq(enrollments.id, id));
  await ctx.audit({
    action: "enrollment.delete",
    target: `course:${courseId}`,
    metadata: { enrollmentId: id, userId: row.userId, role: row.role },
  });
  return { userId: row.userId };
}

/** Restores a soft-deleted enrollment (admins); refused when the user is enrolled again meanwhile. */
export async function restoreEnrollment(
  ctx: ScopedContext,
  courseId: string,
  id: string,
): Promise<Enrollment> {
  if (!ctx.scope.isAdmin) throw errors.forbidden("Only admins restore deleted enrollments");
  await findReadableCourse(ctx, courseId);
  const row = await findEnrollment(ctx, courseId, id, true);
  if (!row.deletedAt) return toApi(row);
  let restored;
  try {
    [restored] = await ctx.tx.update(enrollments).set({ deletedAt: null }).where(eq(enrollments.id, id))
      .returning();
  } catch (err) {
    if (isUniqueViolation(err)) throw errors.conflict("The user has a live enrollment in this course");
    throw err;
  }
  await ctx.audit({
    action: "enrollment.restore",
    target: `course:${courseId}`,
    metadata: { enrollmentId: id, userId: row.userId, role: row.role },
  });
  return toApi({ ...restored, email: row.email });
}
