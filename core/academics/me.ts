/** The caller's own academic view: the courses they are enrolled in and their profile. */
import { and, eq, getTableColumns, isNull } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import {
  COURSE_ROLES,
  courses,
  enrollments,
  faculties,
  LANGUAGES,
  userProfiles,
} from "../../shared/db/schema/academics.ts";
import { users } from "../../shared/db/schema/users.ts";
import { errors } from "../../shared/errors.ts";
import { iso, type ScopedContext } from "./context.ts";
import { Course, courseToApi } from "./courses.ts";
import { afterCursor, orderOf, pageOf, resolveSort, sortKeyOf } from "./pagination.ts";

/** A course the caller is enrolled in, with their role in it. */
export const MyCourse = Course.extend({ courseRole: z.enum(COURSE_ROLES) }).openapi("MyCourse");

const SORTS = {
  code: { column: courses.code, type: "text" },
  title: { column: courses.title, type: "text" },
  createdAt: { column: courses.createdAt, type: "timestamptz" },
} as const;

/** Lists the live courses the caller has a live enrollment in. */
export async function listMyCourses(
  ctx: ScopedContext,
  query: {
    limit: number;
    cursor?: string;
    sort?: string;
    semesterId?: string;
    courseRole?: "student" | "instructor";
  },
): Promise<{ items: z.infer<typeof MyCourse>[]; nextCursor: string | null }> {
  const sort = resolveSort(SORTS, query.sort, "code");
  const rows = await ctx.tx.select({
    ...getTableColumns(courses),
    courseRole: enrollments.role,
    sortKey: sortKeyOf(sort),
  })
    .from(enrollments).innerJoin(courses, eq(courses.id, enrollments.courseId))
    .where(and(
      eq(enrollments.userId, ctx.caller.userId),
      isNull(enrollments.deletedAt),
      isNull(courses.deletedAt),
      query.semesterId ? eq(courses.semesterId, query.semesterId) : undefined,
      query.courseRole ? eq(enrollments.role, query.courseRole) : undefined,
      afterCursor(sort, courses.id, query.cursor),
    ))
    .orderBy(...orderOf(sort, courses.id)).limit(query.limit + 1);
  const page = pageOf(rows, query.limit, sort);
  return {
    items: page.rows.map((r) => ({ ...courseToApi(r), courseRole: r.courseRole })),
    nextCursor: page.nextCursor,
  };
}

/** A user's academic profile as the API returns it. */
export const Profile = z.object({
  userId: z.uuid(),
  fullName: z.string(),
  preferredLanguage: z.enum(LANGUAGES),
  facultyId: z.uuid().nullable(),
  updatedAt: z.string().nullable(),
}).openapi("Profile");
/** A user's academic profile as the API returns it. */
export type Profile = z.infer<typeof Profile>;

/** Body of `PATCH /v1/me/profile`: what users change themselves (never their faculty). */
export const OwnProfilePatch = z.strictObject({
  fullName: z.string().trim().max(200).optional(),
  preferredLanguage: z.enum(LANGUAGES).optional(),
});
/** Body of `PUT /v1/users/:id/profile` (admins): also assigns the faculty, which decides an academic's scope. */
export const AdminProfilePatch = z.strictObject({
  ...OwnProfilePatch.shape,
  facultyId: z.uuid().nullable().optional(),
});

async function readProfile(ctx: ScopedContext, userId: string): Promise<Profile> {
  const [row] = await ctx.tx.select().from(userProfiles)
    .where(and(eq(userProfiles.userId, userId), isNull(userProfiles.deletedAt))).limit(1);
  if (!row) return { userId, fullName: "", preferredLanguage: "en", facultyId: null, updatedAt: null };
  return {
    userId: row.userId,
    fullName: row.fullName,
    preferredLanguage: row.preferredLanguage,
    facultyId: row.facultyId,
    updatedAt: iso(row.updatedAt),
  };
}

async function writeProfile(
  ctx: ScopedContext,
  userId: string,
  patch: z.infer<typeof AdminProfilePatch>,
): Promise<Profile> {
  const values = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  await ctx.tx.insert(userProfiles).values({ userId, ...values })
    .onConflictDoUpdate({ target: userProfiles.userId, set: { ...values, deletedAt: null } });
  return readProfile(ctx, userId);
}

/** The caller's profile (defaults when none was saved). */
export function getMyProfile(ctx: ScopedContext): Promise<Profile> {
  return readProfile(ctx, ctx.caller.userId);
}

/** Changes the caller's name or preferred language. */
export function updateMyProfile(
  ctx: ScopedContext,
  patch: z.infer<typeof OwnProfilePatch>,
): Promise<Profile> {
  return writeProfile(ctx, ctx.caller.userId, patch);
}

/** Sets any user's profile, faculty included (admins); a faculty change is audited since it changes scope. */
export async function setUserProfile(
  ctx: ScopedContext,
  userId: string,
  patch: z.infer<typeof AdminProfilePatch>,
): Promise<Profile> {
  if (!ctx.scope.canManageCatalog()) throw errors.forbidden("Only admins set other users' profiles");
  const [user] = await ctx.tx.select({ id: users.id }).from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt))).limit(1);
  if (!user) throw errors.notFound(`User "${userId}"`);
  if (patch.facultyId) {
    const [faculty] = await ctx.tx.select({ id: faculties.id }).from(faculties)
      .where(and(eq(faculties.id, patch.facultyId), isNull(faculties.deletedAt))).limit(1);
    if (!faculty) throw errors.badRequest(`Faculty "${patch.facultyId}" does not exist or is deleted`);
  }
  const before = await readProfile(ctx, userId);
  const after = await writeProfile(ctx, userId, patch);
  await ctx.audit({
    action: before.facultyId === after.facultyId ? "profile.update" : "profile.faculty_change",
    target: `user:${userId}`,
    metadata: { before: { facultyId: before.facultyId }, after: patch },
  });
  return after;
}
