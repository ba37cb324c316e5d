import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { dbTest } from "../../shared/db/testing.ts";
import { enrollments } from "../../shared/db/schema/academics.ts";
import { users } from "../../shared/db/schema/users.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { withCallerTx } from "./caller_tx.ts";
import { resolveScope, type Scope } from "./scope.ts";

const sorted = (set: Scope["readableCourseIds"]) => set === "all" ? "all" : [...set].sort();

dbTest("resolveScope() gives each kind of caller exactly their courses", async (database) => {
  const w = await createAcademicWorld(database);
  const scopeOf = (user: { id: string; role: "ADMIN" | "ACADEMIC" | "STUDENT" }) =>
    withCallerTx(
      database,
      { userId: user.id, role: user.role },
      (tx) => resolveScope(tx, { userId: user.id }),
    );

  const admin = await scopeOf(w.admin);
  assert.equal(admin.isAdmin, true);
  assert.equal(admin.readableCourseIds, "all");
  assert.ok(admin.canManageCourse(w.courseB) && admin.canManageCatalog());

  const own = await scopeOf(w.academicOwn);
  assert.equal(own.facultyId, w.facultyA);
  assert.deepEqual(sorted(own.readableCourseIds), [w.courseA], "deleted courses grant nothing");
  assert.deepEqual(sorted(own.manageableCourseIds), [w.courseA]);
  assert.deepEqual(sorted(own.readableFacultyIds), [w.facultyA]);
  assert.ok(own.canManageFaculty(w.facultyA) && !own.canManageFaculty(w.facultyB) && !own.canManageCatalog());

  const enrolled = await scopeOf(w.studentEnrolled);
  assert.deepEqual(sorted(enrolled.readableCourseIds), [w.courseA]);
  assert.deepEqual(sorted(enrolled.manageableCourseIds), []);
  assert.deepEqual(sorted(enrolled.readableSemesterIds), [w.semesterA]);
  assert.ok(enrolled.canReadCourse(w.courseA) && !enrolled.canReadCourse(w.courseB));
  assert.ok(!enrolled.canManageCourse(w.courseA) && !enrolled.canManageFaculty(w.facultyA));

  const other = await scopeOf(w.studentOther);
  assert.deepEqual(sorted(other.readableCourseIds), [w.courseB]);
  assert.notEqual(other.fingerprint, enrolled.fingerprint);

  // An academic of faculty B who instructs course A manages it; as a mere student there they would only read it.
  await database.db.insert(enrollments).values({
    userId: w.academicOther.id,
    courseId: w.courseA,
    role: "instructor",
  });
  const instructor = await scopeOf(w.academicOther);
  assert.deepEqual(sorted(instructor.manageableCourseIds), [w.courseA, w.courseB].sort());
  assert.ok(!instructor.canManageFaculty(w.facultyA));
  await database.db.update(enrollments).set({ role: "student" }).where(
    eq(enrollments.userId, w.academicOther.id),
  );
  const sitting = await scopeOf(w.academicOther);
  assert.ok(sitting.canReadCourse(w.courseA) && !sitting.canManageCourse(w.courseA));

  // A deleted user has no scope, whatever their token says.
  await database.db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, w.studentEnrolled.id));
  const gone = await scopeOf(w.studentEnrolled);
  assert.equal(gone.role, null);
  assert.deepEqual(sorted(gone.readableCourseIds), []);
});

dbTest(
  "resolveScope() fingerprints reach, not identity: same enrollments share it, a new enrollment changes it",
  async (database) => {
    const w = await createAcademicWorld(database);
    const twin =
      (await database.db.insert(users).values({ email: `twin-${crypto.randomUUID()}@t.x`, role: "STUDENT" })
        .returning())[0];
    await database.db.insert(enrollments).values({ userId: twin.id, courseId: w.courseA });
    const scopeOf = (userId: string) =>
      withCallerTx(database, { userId, role: "STUDENT" }, (tx) => resolveScope(tx, { userId }));
    const a = await scopeOf(w.studentEnrolled.id);
    const b = await scopeOf(twin.id);
    assert.equal(a.fingerprint, b.fingerprint);
    await database.db.insert(enrollments).values({ userId: twin.id, courseId: w.courseB });
    assert.notEqual((await scopeOf(twin.id)).fingerprint, a.fingerprint);
  },
);
