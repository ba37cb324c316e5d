/**
 * The admins' user directory: live (or deactivated) accounts searched by email or name (display name or profile name), filtered by
 * role and faculty, paged by email; and one user's enrolments. Admin-only routes, so these read as the database
 * owner like the other account functions.
 */
import { z } from "@hono/zod-openapi";
import { and, eq, ilike, isNotNull, isNull, or, type SQL } from "drizzle-orm";
import type { Db } from "../../shared/db/client.ts";
import { courses, enrollments, userProfiles, users } from "../../shared/db/schema/mod.ts";
import { errors } from "../../shared/errors.ts";
import { Role } from "../../shared/identity.ts";
import {
  afterCursor,
  containsPattern,
  fixedSort,
  orderOf,
  pageOf,
  type PageParams,
  pageQuery,
  sortKeyOf,
} from "../academics/pagination.ts";
import { publicUser } from "../auth/accounts.ts";
import { UserSchema } from "../auth/http.ts";
import { normaliseEmail } from "../auth/password.ts";

/** Query of `GET /v1/users`. */
export const DirectoryQuery = z.object({
  email: z.string().trim().min(3).max(254).transform(normaliseEmail).optional()
    .openapi({ description: "Exactly this email", example: "ada@uni.example" }),
  q: z.string().trim().min(1).max(100).optional()
    .openapi({ description: "Part of the email, display name or profile name" }),
  role: Role.optional(),
  facultyId: z.uuid().optional().openapi({ description: "Users whose profile names this faculty" }),
  status: z.enum(["active", "deactivated"]).default("active")
    .openapi({ description: "Live accounts (the default) or deactivated ones" }),
  ...pageQuery,
});

/** A user as the directory lists them. */
export const DirectoryUser = UserSchema.extend({
  fullName: z.string().nullable(),
  facultyId: z.uuid().nullable(),
  deactivatedAt: z.string().nullable().openapi({
    description: "When the account was deactivated; null if live",
  }),
}).openapi("DirectoryUser");

/** One enrolment of a user. */
export const UserEnrollment = z.object({
  id: z.uuid(),
  courseId: z.uuid(),
  courseCode: z.string(),
  courseTitle: z.string(),
  role: z.string(),
  createdAt: z.string(),
}).openapi("UserEnrollment");

const byEmail = fixedSort("email", users.email, "text", false);

/** A page of live (or deactivated) users matching the query, by email. */
export async function searchUsers(
  db: Db,
  query: z.infer<typeof DirectoryQuery>,
): Promise<{ items: z.infer<typeof DirectoryUser>[]; nextCursor: string | null }> {
  const where: (SQL | undefined)[] = [
    query.status === "deactivated" ? isNotNull(users.deletedAt) : isNull(users.deletedAt),
    afterCursor(byEmail, users.id, query.cursor),
  ];
  if (query.email) where.push(eq(users.email, query.email));
  if (query.q) {
    const pattern = containsPattern(query.q);
    where.push(
      or(
        ilike(users.email, pattern),
        ilike(users.displayName, pattern),
        ilike(userProfiles.fullName, pattern),
      ),
    );
  }
  if (query.role) where.push(eq(users.role, query.role));
  if (query.facultyId) where.push(eq(userProfiles.facultyId, query.facultyId));
  const rows = await db.select({
    user: users,
    fullName: userProfiles.fullName,
    facultyId: userProfiles.facultyId,
    id: users.id,
    sortKey: sortKeyOf(byEmail),
  }).from(users).leftJoin(userProfiles, eq(userProfiles.userId, users.id))
    .where(and(...where)).orderBy(...orderOf(byEmail, users.id)).limit(query.limit + 1);
  const page = pageOf(rows, query.limit, byEmail);
  return {
    items: page.rows.map((r) => ({
      ...publicUser(r.user),
      fullName: r.fullName || null,
      facultyId: r.facultyId ?? null,
      deactivatedAt: r.user.deletedAt?.toISOString() ?? null,
    })),
    nextCursor: page.nextCursor,
  };
}

const byCreated = fixedSort("createdAt", enrollments.createdAt, "timestamptz", true);

/** A page of a live user's live enrolments, newest first. */
export async function userEnrollments(
  db: Db,
  userId: string,
  page: PageParams,
): Promise<{ items: z.infer<typeof UserEnrollment>[]; nextCursor: string | null }> {
  const [user] = await db.select({ id: users.id }).from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt))).limit(1);
  if (!user) throw errors.notFound("User");
  const rows = await db.select({
    id: enrollments.id,
    courseId: courses.id,
    courseCode: courses.code,
    courseTitle: courses.title,
    role: enrollments.role,
    createdAt: enrollments.createdAt,
    sortKey: sortKeyOf(byCreated),
  }).from(enrollments).innerJoin(courses, eq(courses.id, enrollments.courseId))
    .where(and(
      eq(enrollments.userId, userId),
      isNull(enrollments.deletedAt),
      isNull(courses.deletedAt),
      afterCursor(byCreated, enrollments.id, page.cursor),
    ))
    .orderBy(...orderOf(byCreated, enrollments.id)).limit(page.limit + 1);
  const result = pageOf(rows, page.limit, byCreated);
  return {
    items: result.rows.map(({ sortKey: _, createdAt, ...r }) => ({
      ...r,
      createdAt: createdAt.toISOString(),
    })),
    nextCursor: result.nextCursor,
  };
}
