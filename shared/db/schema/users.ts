import { sql } from "drizzle-orm";
import { index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { id, timestamps } from "./columns.ts";

/** Accounts. Identity (credentials, tokens, 2FA) and academics (profile, faculty) extend this table. */
export const users = pgTable("users", {
  id: id(),
  /** Normalised (trimmed, lower-case); unique among live accounts. */
  email: text("email").notNull(),
  role: text("role", { enum: ["ADMIN", "ACADEMIC", "STUDENT"] }).notNull().default("STUDENT"),
  displayName: text("display_name"),
  ...timestamps(),
}, (t) => [
  uniqueIndex("users_email_live_uq").on(t.email).where(sql`${t.deletedAt} is null`),
  index("users_role_idx").on(t.role),
]);
