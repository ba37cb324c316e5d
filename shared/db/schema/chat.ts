import { boolean, index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { courses } from "./academics.ts";
import { id, timestamps } from "./columns.ts";
import { users } from "./users.ts";

/** Answer policies a course's instructors choose from (same values as the tutor's `AnswerPolicy`). */
export const ANSWER_POLICY_VALUES = ["direct", "socratic", "hints-only"] as const;
/** Who wrote a chat message. */
export const CHAT_ROLES = ["user", "assistant"] as const;
/** How a message ended: answered, cut short by a disconnect, or failed (the error says why). */
export const CHAT_MESSAGE_STATUSES = ["complete", "interrupted", "failed"] as const;

/** A student's conversation with the tutor, bound to one course for its whole life. */
export const chatSessions = pgTable("chat_sessions", {
  id: id(),
  userId: uuid("user_id").notNull().references(() => users.id),
  courseId: uuid("course_id").notNull().references(() => courses.id),
  title: text("title").notNull(),
  ...timestamps(),
}, (t) => [
  index("chat_sessions_user_idx").on(t.userId, t.updatedAt),
  index("chat_sessions_course_idx").on(t.courseId),
]);

/**
 * One turn of a session. `user_id` and `course_id` copy the session's so that usage and quotas aggregate without
 * joins; usage columns are filled on assistant turns (tokens from a model, characters from the offline tutor).
 */
export const chatMessages = pgTable("chat_messages", {
  id: id(),
  sessionId: uuid("session_id").notNull().references(() => chatSessions.id),
  userId: uuid("user_id").notNull().references(() => users.id),
  courseId: uuid("course_id").notNull().references(() => courses.id),
  role: text("role", { enum: CHAT_ROLES }).notNull(),
  content: text("content").notNull(),
  citations: jsonb("citations").$type<unknown[]>().notNull().default([]),
  status: text("status", { enum: CHAT_MESSAGE_STATUSES }).notNull().default("complete"),
  error: text("error"),
  /** Intent or refusal reason of an assistant turn (`course_question`, `not_found`, ...). */
  intent: text("intent"),
  refusal: text("refusal"),
  model: text("model"),
  /** `tokens` or `characters`. */
  usageUnit: text("usage_unit"),
  unitsIn: integer("units_in").notNull().default(0),
  unitsOut: integer("units_out").notNull().default(0),
  latencyMs: integer("latency_ms"),
  cached: boolean("cached").notNull().default(false),
  ...timestamps(),
}, (t) => [
  index("chat_messages_session_idx").on(t.sessionId, t.createdAt),
  index("chat_messages_user_day_idx").on(t.userId, t.createdAt),
  index("chat_messages_course_day_idx").on(t.courseId, t.createdAt),
]);

/** How the tutor answers in one course; a course without a row uses `direct`. */
export const courseTutorSettings = pgTable("course_tutor_settings", {
  courseId: uuid("course_id").primaryKey().references(() => courses.id),
  answerPolicy: text("answer_policy", { enum: ANSWER_POLICY_VALUES }).notNull().default("direct"),
  /** Questions all users together may ask in the course per UTC day: null follows the server's setting, 0: none. */
  dailyQuestionQuota: integer("daily_question_quota"),
  /** Whether the tutor refuses questions about an exam of the course while it is open. */
  lockoutDuringExams: boolean("lockout_during_exams").notNull().default(true),
  updatedBy: uuid("updated_by").references(() => users.id),
  ...timestamps(),
}, (t) => [index("course_tutor_settings_updated_by_idx").on(t.updatedBy)]);
