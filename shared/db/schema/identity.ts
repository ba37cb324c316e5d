import { boolean, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps } from "./columns.ts";
import { users } from "./users.ts";

/**
 * Refresh tokens, stored only as SHA-256 hashes. Each rotation marks the used token and adds a new one to the same
 * family; presenting a used token again revokes the whole family (theft detection).
 */
export const refreshTokens = pgTable("refresh_tokens", {
  id: id(),
  userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  /** One sign-in session: every rotation of it shares this id. */
  familyId: uuid("family_id").notNull(),
  tokenHash: text("token_hash").notNull(),
  /** Whether the session passed TOTP, carried into every access token it yields. */
  mfa: boolean("mfa").notNull().default(false),
  expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  /** Set when the token was exchanged for a new one. */
  usedAt: timestamp("used_at", { withTimezone: true, mode: "date" }),
  revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
  ...timestamps(),
}, (t) => [
  uniqueIndex("refresh_tokens_hash_uq").on(t.tokenHash),
  index("refresh_tokens_family_idx").on(t.familyId),
  index("refresh_tokens_user_idx").on(t.userId),
]);
