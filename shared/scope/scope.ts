/**
 * Scope resolution: the one place that turns a caller into what they may read and manage. Every query on
 * course-scoped data (courses, enrollments, and later documents, chunks, chats, exams, search, caches) asks the
 * `Scope` returned here; row-level security in the database (migrations `*_academic_rls.sql`) enforces the same
 * rules again underneath.
 *
 * Rules: an ADMIN reads and manages everything. An ACADEMIC reads and manages the courses of the faculty in their
 * profile and the courses they are enrolled in as instructor, and reads courses they are enrolled in as student.
 * A STUDENT reads the courses they are enrolled in and manages none. Soft-deleted courses, enrollments, profiles
 * and users grant nothing. Faculty and semester names are a catalog any signed-in caller may read; the faculty and
 * semester sets below say whose *scoped content* the caller reaches.
 */
import { and, eq, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Db } from "../db/client.ts";
import { courses, enrollments, userProfiles } from "../db/schema/academics.ts";
import { users } from "../db/schema/users.ts";
import type { Identity, Role } from "../identity.ts";

/** A set of ids, or every id (admins). Consumers must handle `"all"` explicitly. */
export type IdSet = "all" | ReadonlySet<string>;

/** What one caller may read and manage, resolved once per request. */
export interface Scope {
  userId: string;
  /** The caller's current platform role, read from the database (a stale token role does not widen scope). */
  role: Role | null;
  isAdmin: boolean;
  /** An academic's faculty (from their profile); null otherwise. */
  facultyId: string | null;
  /** Live courses the caller may read. */
  readableCourseIds: IdSet;
  /** Live courses whose content and enrollments the caller may change. */
  manageableCourseIds: IdSet;
  /** Faculties whose scoped content the caller reaches (own faculty and faculties of readable courses). */
  readableFacultyIds: IdSet;
  /** Semesters of readable courses (and, for academics, every semester of their faculty). */
  readableSemesterIds: IdSet;
  /** Stable string naming this scope's reach; include it in cache keys of scoped responses. */
  fingerprint: string;
  canReadCourse(courseId: string): boolean;
  canManageCourse(courseId: string): boolean;
  /** Whether the caller may create courses in (or move courses to) this faculty. */
  canManageFaculty(facultyId: string): boolean;
  /** Whether the caller may change the catalog itself (faculties, semesters, profiles' faculty). */
  canManageCatalog(): boolean;
  /** A where-condition restricting `column` (a course id column) to readable courses. */
  readableCourseFilter(column: AnyPgColumn | SQL): SQL;
  /** A where-condition restricting `column` (a course id column) to manageable courses. */
  manageableCourseFilter(column: AnyPgColumn | SQL): SQL;
}

function has(set: IdSet, id: string): boolean {
  return set === "all" || set.has(id);
}

function filterOf(set: IdSet, column: AnyPgColumn | SQL): SQL {
  if (set === "all") return sql`true`;
  if (set.size === 0) return sql`false`;
  return inArray(column as AnyPgColumn, [...set]);
}

async function fingerprintOf(parts: string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("|")));
  return Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Resolves the caller's scope from users, user_profiles, courses and enrollments (two or three small queries). */
export async function resolveScope(db: Db, caller: Pick<Identity, "userId">): Promise<Scope> {
  const [user] = await db.select({ role: users.role }).from(users)
    .where(and(eq(users.id, caller.userId), isNull(users.deletedAt))).limit(1);
  const role = user?.role ?? null;
  const isAdmin = role === "ADMIN";
  let facultyId: string | null = null;
  if (role === "ACADEMIC") {
    const [profile] = await db.select({ facultyId: userProfiles.facultyId }).from(userProfiles)
      .where(and(eq(userProfiles.userId, caller.userId), isNull(userProfiles.deletedAt))).limit(1);
    facultyId = profile?.facultyId ?? null;
  }
  if (isAdmin) {
    return buildScope({
      userId: caller.userId,
      role,
      isAdmin,
      facultyId,
      readable: "all",
      manageable: "all",
      faculties: "all",
      semesters: "all",
      fingerprint: "admin",
    });
  }
  const readable = new Set<string>();
  const manageable = new Set<string>();
  const faculties = new Set<string>(facultyId ? [facultyId] : []);
  const semesters = new Set<string>();
  if (role) {
    const rows = await db.select({
      id: courses.id,
      facultyId: courses.facultyId,
      semesterId: courses.semesterId,
      courseRole: enrollments.role,
    }).from(courses)
      .leftJoin(
        enrollments,
        and(
          eq(enrollments.courseId, courses.id),
          eq(enrollments.userId, caller.userId),
          isNull(enrollments.deletedAt),
        ),
      )
      .where(and(
        isNull(courses.deletedAt),
        facultyId
          ? or(sql`${enrollments.id} is not null`, eq(courses.facultyId, facultyId))
          : sql`${enrollments.id} is not null`,
      ));
    for (const row of rows) {
      readable.add(row.id);
      faculties.add(row.facultyId);
      semesters.add(row.semesterId);
      const ownsFaculty = facultyId !== null && row.facultyId === facultyId;
      if (role === "ACADEMIC" && (ownsFaculty || row.courseRole === "instructor")) manageable.add(row.id);
    }
  }
  const sorted = (s: Set<string>) => [...s].sort().join(",");
  return buildScope({
    userId: caller.userId,
    role,
    isAdmin,
    facultyId,
    readable,
    manageable,
    faculties,
    semesters,
    fingerprint: await fingerprintOf([caller.userId, role ?? "-", sorted(readable), sorted(manageable)]),
  });
}

function buildScope(parts: {
  userId: string;
  role: Role | null;
  isAdmin: boolean;
  facultyId: string | null;
  readable: IdSet;
  manageable: IdSet;
  faculties: IdSet;
  semesters: IdSet;
  fingerprint: string;
}): Scope {
  return {
    userId: parts.userId,
    role: parts.role,
    isAdmin: parts.isAdmin,
    facultyId: parts.facultyId,
    readableCourseIds: parts.readable,
    manageableCourseIds: parts.manageable,
    readableFacultyIds: parts.faculties,
    readableSemesterIds: parts.semesters,
    fingerprint: parts.fingerprint,
    canReadCourse: (id) => has(parts.readable, id),
    canManageCourse: (id) => has(parts.manageable, id),
    canManageFaculty: (id) => parts.isAdmin || (parts.role === "ACADEMIC" && parts.facultyId === id),
    canManageCatalog: () => parts.isAdmin,
    readableCourseFilter: (column) => filterOf(parts.readable, column),
    manageableCourseFilter: (column) => filterOf(parts.manageable, column),
  };
}
