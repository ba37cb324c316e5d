/**
 * Tables of account life beyond sign-in: outgoing mail, single-use account tokens (password reset, email
 * verification), invitations, mail preferences, external sign-in identities and the runs of scheduled jobs.
 */
import { sql } from "drizzle-orm";
import { boolean, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { courses } from "./academics.ts";
import { id, timestamps } from "./columns.ts";
import { users } from "./users.ts";

const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** Where an outgoing message is: waiting for its job, handed to the mail server, or given up. */
export const MAIL_STATUSES = ["queued", "sent", "dead"] as const;

/**
 * Outgoing mail, rendered when it is asked for and sent by the `mail.send` job. With the database mailer (the
 * embedded default) this table is the mailbox; with SMTP the bodies are cleared once delivered, since they may carry
 * a single-use link.
 */
export const mailMessages = pgTable("mail_messages", {
  id: id(),
  userId: uuid("user_id").references(() => users.id),
  toAddress: text("to_address").notNull(),
  /** `en` or `ar`. */
  locale: text("locale").notNull(),
  template: text("template").notNull(),
  subject: text("subject").notNull(),
  text: text("text").notNull(),
  html: text("html").notNull(),
  status: text("status", { enum: MAIL_STATUSES }).notNull().default("queued"),
  /** Which mailer delivered it (`database`, `smtp`) and the server's message id. */
  transport: text("transport"),
  providerMessageId: text("provider_message_id"),
  sentAt: at("sent_at"),
  jobId: uuid("job_id"),
  ...timestamps(),
}, (t) => [
  index("mail_messages_to_idx").on(t.toAddress, t.createdAt),
  index("mail_messages_user_idx").on(t.userId),
  index("mail_messages_created_idx").on(t.createdAt),
]);

/** What an account token proves when used. */
export const ACCOUNT_TOKEN_PURPOSES = ["password_reset", "email_verification"] as const;

/** Single-use, short-lived tokens mailed to a user, stored only as SHA-256 hashes. */
export const accountTokens = pgTable("account_tokens", {
  id: id(),
  userId: uuid("user_id").notNull().references(() => users.id),
  purpose: text("purpose", { enum: ACCOUNT_TOKEN_PURPOSES }).notNull(),
  tokenHash: text("token_hash").notNull(),
  /** The address the token was sent to: a token proves this address, not whatever the account says now. */
  email: text("email").notNull(),
  expiresAt: at("expires_at").notNull(),
  usedAt: at("used_at"),
  ...timestamps(),
}, (t) => [
  uniqueIndex("account_tokens_hash_uq").on(t.tokenHash),
  index("account_tokens_user_idx").on(t.userId, t.purpose),
  index("account_tokens_expires_idx").on(t.expiresAt),
]);

/**
 * An invitation of an email that has no account yet: accepting it (or verifying that email on an account made
 * later) creates the enrolment. `course_id` null invites to the platform only.
 */
export const invitations = pgTable("invitations", {
  id: id(),
  email: text("email").notNull(),
  platformRole: text("platform_role", { enum: ["ACADEMIC", "STUDENT"] }).notNull().default("STUDENT"),
  courseId: uuid("course_id").references(() => courses.id),
  courseRole: text("course_role", { enum: ["student", "instructor"] }).notNull().default("student"),
  invitedBy: uuid("invited_by").references(() => users.id),
  tokenHash: text("token_hash").notNull(),
  expiresAt: at("expires_at").notNull(),
  acceptedAt: at("accepted_at"),
  acceptedBy: uuid("accepted_by").references(() => users.id),
  revokedAt: at("revoked_at"),
  ...timestamps(),
}, (t) => [
  uniqueIndex("invitations_hash_uq").on(t.tokenHash),
  index("invitations_email_idx").on(t.email),
  index("invitations_course_idx").on(t.courseId),
  index("invitations_invited_by_idx").on(t.invitedBy),
  index("invitations_accepted_by_idx").on(t.acceptedBy),
  uniqueIndex("invitations_pending_uq").on(t.email, t.courseId)
    .where(sql`${t.acceptedAt} is null and ${t.revokedAt} is null and ${t.deletedAt} is null`),
]);

/** A user's choice to get (or not) mail for one notification kind; no row means the kind's default. */
export const notificationPreferences = pgTable("notification_preferences", {
  userId: uuid("user_id").notNull().references(() => users.id),
  kind: text("kind").notNull(),
  email: boolean("email").notNull(),
  ...timestamps(),
}, (t) => [primaryKey({ columns: [t.userId, t.kind] })]);

/** An account's identity at an external OpenID provider (institutional sign-in). */
export const userIdentities = pgTable("user_identities", {
  id: id(),
  userId: uuid("user_id").notNull().references(() => users.id),
  /** The provider's configured id (`OIDC_PROVIDERS[].id`). */
  provider: text("provider").notNull(),
  subject: text("subject").notNull(),
  email: text("email"),
  ...timestamps(),
}, (t) => [
  uniqueIndex("user_identities_provider_subject_uq").on(t.provider, t.subject),
  index("user_identities_user_idx").on(t.userId),
]);

/** One row per scheduled job and time slot, so two schedulers (or a QStash retry) never enqueue it twice. */
export const scheduleRuns = pgTable("schedule_runs", {
  name: text("name").notNull(),
  slot: at("slot").notNull(),
  jobId: uuid("job_id"),
  ...timestamps(),
}, (t) => [primaryKey({ columns: [t.name, t.slot] })]);
