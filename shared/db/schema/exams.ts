import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { courses } from "./academics.ts";
import { id, timestamps } from "./columns.ts";
import { users } from "./users.ts";

/** Where an exam is in its life. */
export const EXAM_STATUSES = ["generating", "draft", "published", "closed", "released", "failed"] as const;
/** One exam status. */
export type ExamStatus = typeof EXAM_STATUSES[number];

/** A cited passage supporting an item's key. */
export interface ExamCitation {
  chunkId: string;
  documentId: string;
  page: number;
  quote: string;
}

const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/**
 * An exam of a course. `faculty_id` and `semester_id` copy the course's place so scope filters need no join;
 * `status` follows generating → draft → published → closed → released (or failed when generation fails).
 */
export const exams = pgTable("exams", {
  id: id(),
  courseId: uuid("course_id").notNull().references(() => courses.id),
  facultyId: uuid("faculty_id").notNull(),
  semesterId: uuid("semester_id"),
  title: text("title").notNull(),
  status: text("status", { enum: EXAM_STATUSES }).notNull().default("generating"),
  blueprint: jsonb("blueprint").$type<Record<string, unknown>>().notNull(),
  /** `offline` or `llm`: which generator wrote the items. */
  generator: text("generator"),
  language: text("language").notNull().default("en"),
  /** Why generation failed, or a note (e.g. fewer items than asked). */
  note: text("note"),
  opensAt: at("opens_at"),
  closesAt: at("closes_at"),
  timeLimitMinutes: integer("time_limit_minutes"),
  attemptsAllowed: integer("attempts_allowed").notNull().default(1),
  allowLate: boolean("allow_late").notNull().default(false),
  generationJobId: uuid("generation_job_id"),
  createdBy: uuid("created_by").references(() => users.id),
  publishedAt: at("published_at"),
  releasedAt: at("released_at"),
  ...timestamps(),
}, (t) => [
  index("exams_course_idx").on(t.courseId, t.status),
  index("exams_faculty_idx").on(t.facultyId),
  index("exams_semester_idx").on(t.semesterId),
  index("exams_created_by_idx").on(t.createdBy),
]);

/** One question of an exam with its key and the chunk(s) that support it. */
export const examItems = pgTable("exam_items", {
  id: id(),
  examId: uuid("exam_id").notNull().references(() => exams.id, { onDelete: "cascade" }),
  /** Copied from the exam for row-level security without joins. */
  courseId: uuid("course_id").notNull(),
  ordinal: integer("ordinal").notNull(),
  type: text("type", { enum: ["multiple_choice", "true_false", "short_answer"] }).notNull(),
  question: text("question").notNull(),
  options: jsonb("options").$type<string[]>().notNull().default([]),
  answerKey: text("answer_key").notNull(),
  explanation: text("explanation").notNull().default(""),
  difficulty: text("difficulty", { enum: ["easy", "medium", "hard"] }).notNull().default("medium"),
  citations: jsonb("citations").$type<ExamCitation[]>().notNull().default([]),
  factKey: text("fact_key"),
  points: real("points").notNull().default(1),
  ...timestamps(),
}, (t) => [
  index("exam_items_exam_idx").on(t.examId, t.ordinal),
  index("exam_items_course_idx").on(t.courseId),
]);

/** One student's sitting of an exam; the deadline comes from the server clock at start. */
export const examAttempts = pgTable("exam_attempts", {
  id: id(),
  examId: uuid("exam_id").notNull().references(() => exams.id, { onDelete: "cascade" }),
  courseId: uuid("course_id").notNull(),
  userId: uuid("user_id").notNull().references(() => users.id),
  attemptNo: integer("attempt_no").notNull(),
  startedAt: at("started_at").notNull().defaultNow(),
  /** Earlier of start + time limit and the window's close (unless late submissions are allowed). */
  deadlineAt: at("deadline_at"),
  submittedAt: at("submitted_at"),
  submitKind: text("submit_kind", { enum: ["manual", "auto", "late"] }),
  status: text("status", { enum: ["in_progress", "submitted", "graded"] }).notNull().default("in_progress"),
  score: real("score"),
  maxScore: real("max_score"),
  gradingJobId: uuid("grading_job_id"),
  gradedAt: at("graded_at"),
  ...timestamps(),
}, (t) => [
  uniqueIndex("exam_attempts_exam_user_no_uq").on(t.examId, t.userId, t.attemptNo),
  index("exam_attempts_user_idx").on(t.userId),
  index("exam_attempts_course_idx").on(t.courseId),
  index("exam_attempts_open_idx").on(t.deadlineAt).where(sql`${t.status} = 'in_progress'`),
]);

/** One saved answer of an attempt and its grade. */
export const attemptAnswers = pgTable("attempt_answers", {
  id: id(),
  attemptId: uuid("attempt_id").notNull().references(() => examAttempts.id, { onDelete: "cascade" }),
  itemId: uuid("item_id").notNull().references(() => examItems.id),
  courseId: uuid("course_id").notNull(),
  answer: text("answer"),
  savedAt: at("saved_at").notNull().defaultNow(),
  /** Points awarded (0..item points). */
  score: real("score"),
  confidence: real("confidence"),
  justification: text("justification"),
  gradedBy: text("graded_by", { enum: ["auto", "model", "instructor"] }),
  needsReview: boolean("needs_review").notNull().default(false),
  overriddenBy: uuid("overridden_by").references(() => users.id),
  overriddenAt: at("overridden_at"),
  ...timestamps(),
}, (t) => [
  uniqueIndex("attempt_answers_attempt_item_uq").on(t.attemptId, t.itemId),
  index("attempt_answers_item_idx").on(t.itemId),
  index("attempt_answers_course_idx").on(t.courseId),
  index("attempt_answers_overridden_by_idx").on(t.overriddenBy),
  index("attempt_answers_review_idx").on(t.courseId).where(sql`${t.needsReview}`),
]);
