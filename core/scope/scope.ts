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
import { and, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Db } from "../../shared/db/client.ts";
import { courses, enrollments, semesters, userProfiles } from "../../shared/db/schema/academics.ts";
import { users } from "../../shared/db/schema/users.ts";
import type { Identity, Role } from "../../shared/identity.ts";
import { sha256Sync, toHex } from "../../shared/crypto.ts";

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
  /**
   * Names this scope's reach (role, faculty, enrollments), not the user: callers with equal fingerprints read the
   * same course-scoped data, so shared caches of scoped responses may key on it. Per-user data (own chats,
   * attempts) must key on `userId` as well.
   */
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

/**
 * A where-condition for "course id column within this set". The faculty part is a subquery rather than a list of
 * ids, so an academic of a faculty with thousands of courses does not send thousands of parameters per query.
 */
function filterOf(
  set: IdSet,
  column: AnyPgColumn | SQL,
  parts: { direct: ReadonlySet<string>; facultyId: string | null },
): SQL {
  if (set === "all") return sql`true`;
  const terms: SQL[] = [];
  if (parts.direct.size > 0) terms.push(inArray(column as AnyPgColumn, [...parts.direct]));
  if (parts.facultyId) {
    terms.push(
      sql`${column} in (select ${courses.id} from ${courses} where ${courses.facultyId} = ${parts.facultyId}
      and ${courses.deletedAt} is null)`,
    );
  }
  if (terms.length === 0) return sql`false`;
  return terms.length === 1 ? terms[0] : sql`(${sql.join(terms, sql` or `)})`;
}

function fingerprintOf(parts: string[]): Promise<string> {
  // On the calling thread: one per scoped request (see sha256Sync).
  return Promise.resolve(toHex(sha256Sync(parts.join("|")).subarray(0, 12)));
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
      enrolled: new Set(),
      instructed: new Set(),
      faculties: "all",
      semesters: "all",
      fingerprint: "admin",
    });
  }
  const readable = new Set<string>();
  const manageable = new Set<string>();
  // Courses reached through an enrollment (as opposed to through the academic's faculty).
  const enrolled = new Set<string>();
  const instructed = new Set<string>();
  const faculties = new Set<string>(facultyId ? [facultyId] : []);
  const semesterIds = new Set<string>();
  if (role) {
    // Courses reached through an enrollment: few per user, fetched with their faculty and semester.
    const rows = await db.select({
      id: courses.id,
      facultyId: courses.facultyId,
      semesterId: courses.semesterId,
      courseRole: enrollments.role,
    }).from(enrollments).innerJoin(courses, eq(courses.id, enrollments.courseId))
      .where(
        and(eq(enrollments.userId, caller.userId), isNull(enrollments.deletedAt), isNull(courses.deletedAt)),
      );
    for (const row of rows) {
      readable.add(row.id);
      enrolled.add(row.id);
      faculties.add(row.facultyId);
      semesterIds.add(row.semesterId);
      if (role === "ACADEMIC" && row.courseRole === "instructor") {
        instructed.add(row.id);
        manageable.add(row.id);
      }
    }
  }
  if (facultyId) {
    // Courses reached through the academic's faculty: possibly thousands, so ids only (one column to parse).
    // Aggregated into one text value: parsing one row is far cheaper for the driver than thousands.
    const [{ ids }] = await db.select({
      ids: sql<string>`coalesce(string_agg(${courses.id}::text, ','), '')`,
    })
      .from(courses).where(and(eq(courses.facultyId, facultyId), isNull(courses.deletedAt)));
    const terms = await db.select({ id: semesters.id }).from(semesters)
      .where(and(eq(semesters.facultyId, facultyId), isNull(semesters.deletedAt)));
    for (const id of ids ? ids.split(",") : []) {
      readable.add(id);
      manageable.add(id);
    }
    for (const { id } of terms) semesterIds.add(id);
  }
  return buildScope({
    userId: caller.userId,
    role,
    isAdmin,
    facultyId,
    readable,
    manageable,
    enrolled,
    instructed,
    faculties,
    semesters: semesterIds,
    // The faculty's course set follows from the faculty id, so hashing it (possibly thousands of ids) adds nothing.
    fingerprint: await fingerprintOf([
      role ?? "-",
      facultyId ?? "-",
      [...enrolled].map((id) => `${id}:${instructed.has(id) ? "i" : "s"}`).sort().join(","),
    ]),
  });
}

function buildScope(parts: {
  userId: string;
  role: Role | null;
  isAdmin: boolean;
  facultyId: string | null;
  readable: IdSet;
  manageable: IdSet;
  enrolled: ReadonlySet<string>;
  instructed: ReadonlySet<string>;
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
    readableCourseFilter: (column) =>
      filterOf(parts.readable, column, { direct: parts.enrolled, facultyId: parts.facultyId }),
    manageableCourseFilter: (column) =>
      filterOf(parts.manageable, column, {
        direct: parts.instructed,
        facultyId: parts.role === "ACADEMIC" ? parts.facultyId : null,
      }),
  };
}
