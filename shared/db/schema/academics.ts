import { sql } from "drizzle-orm";
import { boolean, date, index, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps } from "./columns.ts";
import { users } from "./users.ts";

/** Languages a course is taught in and a user prefers. */
export const LANGUAGES = ["ar", "en"] as const;
/** A user's role inside one course (the platform role lives on `users.role`). */
export const COURSE_ROLES = ["student", "instructor"] as const;

/** Faculties of the university: the top of the academic structure and the unit academics belong to. */
export const faculties = pgTable("faculties", {
  id: id(),
  name: text("name").notNull(),
  /** Short code, unique among live faculties (e.g. `ENG`). */
  code: text("code").notNull(),
  ...timestamps(),
}, (t) => [
  uniqueIndex("faculties_code_live_uq").on(t.code).where(sql`${t.deletedAt} is null`),
  index("faculties_name_idx").on(t.name),
]);

/** Semesters of one faculty, with their dates and whether they are the current one. */
export const semesters = pgTable("semesters", {
  id: id(),
  facultyId: uuid("faculty_id").notNull().references(() => faculties.id),
  name: text("name").notNull(),
  startsOn: date("starts_on", { mode: "string" }).notNull(),
  endsOn: date("ends_on", { mode: "string" }).notNull(),
  active: boolean("active").notNull().default(false),
  ...timestamps(),
}, (t) => [
  index("semesters_faculty_idx").on(t.facultyId, t.startsOn),
  index("semesters_active_idx").on(t.active),
]);

/** Courses: belong to a faculty and one of its semesters. The unit every scoped feature keys on. */
export const courses = pgTable("courses", {
  id: id(),
  facultyId: uuid("faculty_id").notNull().references(() => faculties.id),
  semesterId: uuid("semester_id").notNull().references(() => semesters.id),
  code: text("code").notNull(),
  title: text("title").notNull(),
  description: text("description").notNull().default(""),
  language: text("language", { enum: LANGUAGES }).notNull().default("en"),
  ...timestamps(),
}, (t) => [
  uniqueIndex("courses_semester_code_live_uq").on(t.semesterId, t.code).where(sql`${t.deletedAt} is null`),
  index("courses_faculty_idx").on(t.facultyId),
  index("courses_semester_idx").on(t.semesterId),
  index("courses_code_idx").on(t.code),
]);

/** Who takes part in which course, and as what. One live row per (user, course). */
export const enrollments = pgTable("enrollments", {
  id: id(),
  userId: uuid("user_id").notNull().references(() => users.id),
  courseId: uuid("course_id").notNull().references(() => courses.id),
  role: text("role", { enum: COURSE_ROLES }).notNull().default("student"),
  ...timestamps(),
}, (t) => [
  uniqueIndex("enrollments_user_course_live_uq").on(t.userId, t.courseId).where(sql`${t.deletedAt} is null`),
  index("enrollments_course_idx").on(t.courseId, t.role),
  index("enrollments_user_idx").on(t.userId),
]);

/** Per-user academic profile: name, preferred language and the faculty an academic belongs to. */
export const userProfiles = pgTable("user_profiles", {
  userId: uuid("user_id").primaryKey().references(() => users.id),
  fullName: text("full_name").notNull().default(""),
  preferredLanguage: text("preferred_language", { enum: LANGUAGES }).notNull().default("en"),
  facultyId: uuid("faculty_id").references(() => faculties.id),
  ...timestamps(),
}, (t) => [
  index("user_profiles_faculty_idx").on(t.facultyId),
]);
