import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { id, timestamps } from "./columns.ts";

/** Lifecycle of a job: `failed` means the last attempt failed and another is scheduled at `run_after`. */
export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "dead"] as const;

/**
 * Durable async jobs, written in the same transaction as the domain change that caused them (outbox). The embedded
 * queue claims due rows from here; the QStash dispatcher publishes rows whose `dispatched_at` is still null.
 */
export const jobs = pgTable("jobs", {
  id: id(),
  type: text("type").notNull(),
  payload: jsonb("payload").$type<unknown>().notNull(),
  /** Tenant scope as given at enqueue time; faculty and course are copied to columns for filtering. */
  scope: jsonb("scope").$type<Record<string, string>>().notNull().default({}),
  facultyId: uuid("faculty_id"),
  courseId: uuid("course_id"),
  /** Who asked for the job (may read its status); null for system jobs. */
  ownerUserId: uuid("owner_user_id"),
  status: text("status", { enum: JOB_STATUSES }).notNull().default("queued"),
  attempts: integer("attempts").notNull().default(0),
  /** Null means the workers' `JOB_MAX_ATTEMPTS`. */
  maxAttempts: integer("max_attempts"),
  progress: integer("progress").notNull().default(0),
  lastError: text("last_error"),
  result: jsonb("result").$type<unknown>(),
  /** Where the job's outcome can be read, e.g. `/api/v1/notifications` (a public edge URL). */
  resultUrl: text("result_url"),
  /** Not claimed before this time (delay, or backoff after a failed attempt). */
  runAfter: timestamp("run_after", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  /** While running: the worker that holds the job and until when; past it, another worker may take it. */
  leaseUntil: timestamp("lease_until", { withTimezone: true, mode: "date" }),
  lockedBy: text("locked_by"),
  /** Outbox marker: when the job was handed to the transport (QStash publish or embedded claim). */
  dispatchedAt: timestamp("dispatched_at", { withTimezone: true, mode: "date" }),
  /** Bumped by a manual retry, so QStash's deduplication does not swallow the new publish. */
  generation: integer("generation").notNull().default(0),
  requestId: text("request_id"),
  startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }),
  finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
  ...timestamps(),
}, (t) => [
  index("jobs_due_idx").on(t.runAfter).where(sql`${t.status} in ('queued', 'failed')`),
  index("jobs_lease_idx").on(t.leaseUntil).where(sql`${t.status} = 'running'`),
  index("jobs_outbox_idx").on(t.createdAt).where(sql`${t.dispatchedAt} is null and ${t.status} = 'queued'`),
  index("jobs_type_status_idx").on(t.type, t.status, t.createdAt),
  index("jobs_status_created_idx").on(t.status, t.createdAt),
  index("jobs_owner_idx").on(t.ownerUserId, t.createdAt),
  index("jobs_faculty_idx").on(t.facultyId),
  index("jobs_course_idx").on(t.courseId),
  check("jobs_progress_range", sql`${t.progress} between 0 and 100`),
]);
