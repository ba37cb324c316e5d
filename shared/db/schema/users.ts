import { sql } from "drizzle-orm";
import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { id, timestamps } from "./columns.ts";

/** Accounts. Identity (credentials, tokens, 2FA) and academics (profile, faculty) extend this table. */
export const users = pgTable("users", {
  id: id(),
  /** Normalised (trimmed, lower-case); unique among live accounts. */
  email: text("email").notNull(),
  role: text("role", { enum: ["ADMIN", "ACADEMIC", "STUDENT"] }).notNull().default("STUDENT"),
  displayName: text("display_name"),
  /** argon2id in PHC string form (parameters inside); null for accounts that only sign in with Google. */
  passwordHash: text("password_hash"),
  /** Whether someone proved control of the email (Google sign-in does). */
  emailVerified: boolean("email_verified").notNull().default(false),
  /** Google account subject, set when the account signs in with Google. */
  googleSub: text("google_sub"),
  /** Base32 TOTP secret; pending until `totp_enabled_at` is set by a first valid code. */
  totpSecret: text("totp_secret"),
  totpEnabledAt: timestamp("totp_enabled_at", { withTimezone: true, mode: "date" }),
  /** Last accepted TOTP time step, so one code cannot be used twice. */
  totpLastStep: integer("totp_last_step"),
  /** Set when an admin erased the account: personal fields are pseudonymised, academic records stay. */
  erasedAt: timestamp("erased_at", { withTimezone: true, mode: "date" }),
  ...timestamps(),
}, (t) => [
  uniqueIndex("users_email_live_uq").on(t.email).where(sql`${t.deletedAt} is null`),
  uniqueIndex("users_google_sub_uq").on(t.googleSub).where(sql`${t.googleSub} is not null`),
  index("users_role_idx").on(t.role),
]);
