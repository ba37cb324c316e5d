import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps } from "./columns.ts";
import { users } from "./users.ts";

/** In-app notifications shown to one user. */
export const notifications = pgTable("notifications", {
  id: id(),
  userId: uuid("user_id").notNull().references(() => users.id),
  kind: text("kind").notNull(),
  title: text("title").notNull(),
  body: text("body").notNull().default(""),
  data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
  readAt: timestamp("read_at", { withTimezone: true, mode: "date" }),
  /** The job that delivered it: unique, so a re-run of the job never adds a second copy. */
  jobId: uuid("job_id"),
  ...timestamps(),
}, (t) => [
  index("notifications_user_idx").on(t.userId, t.createdAt),
  index("notifications_unread_idx").on(t.userId).where(sql`${t.readAt} is null and ${t.deletedAt} is null`),
  uniqueIndex("notifications_job_uq").on(t.jobId),
]);
