import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { id } from "./columns.ts";

/** Audit trail of critical events (append-only: no update or soft delete). */
export const auditEvents = pgTable("audit_events", {
  id: id(),
  timestamp: timestamp("timestamp", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  service: text("service").notNull(),
  userId: uuid("user_id"),
  action: text("action").notNull(),
  target: text("target"),
  metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
  requestId: text("request_id"),
}, (t) => [
  index("audit_events_user_idx").on(t.userId, t.timestamp),
  index("audit_events_action_idx").on(t.action, t.timestamp),
  index("audit_events_timestamp_idx").on(t.timestamp),
]);
