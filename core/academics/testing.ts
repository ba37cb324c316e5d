/**
 * A small university for tests, written straight into the database: two faculties with a course each, the six
 * kinds of caller the authorization matrix needs, and pre-deleted rows for the restore endpoints. Every name and
 * code is random, so worlds from many tests live side by side in the shared test database.
 */
import type { Database } from "../../shared/db/client.ts";
import { courses, enrollments, faculties, semesters } from "../../shared/db/schema/academics.ts";
import { createTestUsers, type TestUser } from "../testing.ts";

/** Rows and callers of one test world. */
export interface AcademicWorld {
  facultyA: string;
  facultyB: string;
  /** A live faculty with nothing in it (deletable). */
  facultyEmpty: string;
  facultyDeleted: string;
  semesterA: string;
  semesterB: string;
  /** A live semester of faculty A with no courses (deletable). */
  semesterEmpty: string;
  /** A deleted semester of faculty A. */
  semesterDeleted: string;
  courseA: string;
  courseB: string;
  /** A deleted course of faculty A. */
  courseDeleted: string;
  /** studentEnrolled in courseA. */
  enrollmentA: string;
  /** studentOther in courseB. */
  enrollmentB: string;
  /** A deleted enrollment of `spareStudent` in courseA. */
  enrollmentDeleted: string;
  admin: TestUser;
  academicOwn: TestUser;
  academicOther: TestUser;
  studentEnrolled: TestUser;
  studentOther: TestUser;
  /** A student in no course (to enroll). */
  spareStudent: TestUser;
  /** An academic of faculty A in no course (to enroll as instructor). */
  spareAcademic: TestUser;
}

function tag(): string {
  return crypto.randomUUID().slice(0, 8).toUpperCase();
}

/** Builds a fresh world. */
export async function createAcademicWorld(database: Database): Promise<AcademicWorld> {
  const db = database.db;
  const t = tag();
  const [fa, fb, fe, fd] = await db.insert(faculties).values([
    { name: `Engineering ${t}`, code: `ENG-${t}` },
    { name: `Medicine ${t}`, code: `MED-${t}` },
    { name: `Empty ${t}`, code: `EMP-${t}` },
    { name: `Deleted ${t}`, code: `DEL-${t}`, deletedAt: new Date() },
  ]).returning();
  const [sa, sb, se, sd] = await db.insert(semesters).values([
    { facultyId: fa.id, name: `Fall ${t}`, startsOn: "2026-09-01", endsOn: "2027-01-31", active: true },
    { facultyId: fb.id, name: `Fall ${t}`, startsOn: "2026-09-01", endsOn: "2027-01-31", active: true },
    { facultyId: fa.id, name: `Spring ${t}`, startsOn: "2027-02-01", endsOn: "2027-06-30" },
    {
      facultyId: fa.id,
      name: `Old ${t}`,
      startsOn: "2025-02-01",
      endsOn: "2025-06-30",
      deletedAt: new Date(),
    },
  ]).returning();
  const [ca, cb, cd] = await db.insert(courses).values([
    { facultyId: fa.id, semesterId: sa.id, code: `A-${t}`, title: `Statics ${t}`, language: "en" },
    { facultyId: fb.id, semesterId: sb.id, code: `B-${t}`, title: `Anatomy ${t}`, language: "ar" },
    { facultyId: fa.id, semesterId: sa.id, code: `D-${t}`, title: `Gone ${t}`, deletedAt: new Date() },
  ]).returning();
  const [admin, academicOwn, academicOther, studentEnrolled, studentOther, spareStudent, spareAcademic] =
    await createTestUsers(database, [
      { role: "ADMIN" },
      { role: "ACADEMIC", facultyId: fa.id },
      { role: "ACADEMIC", facultyId: fb.id },
      { role: "STUDENT" },
      { role: "STUDENT" },
      { role: "STUDENT" },
      { role: "ACADEMIC", facultyId: fa.id },
    ]);
  const [ea, eb, ed] = await db.insert(enrollments).values([
    { userId: studentEnrolled.id, courseId: ca.id, role: "student" },
    { userId: studentOther.id, courseId: cb.id, role: "student" },
    { userId: spareStudent.id, courseId: ca.id, role: "student", deletedAt: new Date() },
  ]).returning();
  return {
    facultyA: fa.id,
    facultyB: fb.id,
    facultyEmpty: fe.id,
    facultyDeleted: fd.id,
    semesterA: sa.id,
    semesterB: sb.id,
    semesterEmpty: se.id,
    semesterDeleted: sd.id,
    courseA: ca.id,
    courseB: cb.id,
    courseDeleted: cd.id,
    enrollmentA: ea.id,
    enrollmentB: eb.id,
    enrollmentDeleted: ed.id,
    admin,
    academicOwn,
    academicOther,
    studentEnrolled,
    studentOther,
    spareStudent,
    spareAcademic,
  };
}
