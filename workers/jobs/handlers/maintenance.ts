/**
 * Scheduled maintenance jobs (their schedules are in `shared/jobs/schedules.ts`): chat transcript retention and the
 * sweep of expired tokens, invitations and sessions. Each run is audited with what it changed.
 */
import { and, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { recordAudit } from "@app/shared/audit/audit.ts";
import { accountTokens, invitations } from "@app/shared/db/schema/accounts.ts";
import { chatMessages, chatSessions } from "@app/shared/db/schema/chat.ts";
import { refreshTokens } from "@app/shared/db/schema/identity.ts";
import { defineJob, type JobHandlers } from "../registry.ts";

/** Text left in place of a transcript removed by retention. */
export const RETAINED_PLACEHOLDER = "";

/**
 * `maintenance.chat_retention`: transcripts of sessions idle for more than `CHAT_RETENTION_DAYS` are removed: the
 * session is soft-deleted and untitled, each message's text, citations and error are cleared. Rows stay (without
 * words) so usage and quota figures still add up. `0` keeps transcripts forever.
 */
export const chatRetention = defineJob("maintenance.chat_retention", async ({ database, deps, logger }) => {
  const days = deps.retention?.chatDays ?? 0;
  if (days <= 0) return { result: { skipped: "CHAT_RETENTION_DAYS is 0 (keep forever)" } };
  const cutoff = sql`now() - make_interval(days => ${days})`;
  const result = await database.db.transaction(async (tx) => {
    const stale = await tx.select({ id: chatSessions.id }).from(chatSessions)
      .where(
        and(
          lt(chatSessions.updatedAt, cutoff),
          or(isNull(chatSessions.deletedAt), sql`${chatSessions.title} <> ''`),
        ),
      );
    const ids = stale.map((s) => s.id);
    if (ids.length === 0) return { sessions: 0, messages: 0 };
    const messages = await tx.update(chatMessages)
      .set({ content: RETAINED_PLACEHOLDER, citations: [], error: null })
      .where(inArray(chatMessages.sessionId, ids)).returning({ id: chatMessages.id });
    await tx.update(chatSessions)
      .set({ title: "", deletedAt: sql`coalesce(${chatSessions.deletedAt}, now())` })
      .where(inArray(chatSessions.id, ids));
    const counts = { sessions: ids.length, messages: messages.length };
    await recordAudit(tx, logger, "workers", {
      action: "retention.chat_purged",
      target: "chat_sessions",
      metadata: { ...counts, retentionDays: days },
    });
    return counts;
  });
  return { result };
});

/**
 * `maintenance.expire_tokens`: deletes account tokens and refresh tokens a day past their expiry (used, revoked or
 * not: none can work any more), and withdraws invitations past theirs (soft-deleted, kept for the record).
 */
export const expireTokens = defineJob("maintenance.expire_tokens", async ({ database, logger }) => {
  const cutoff = sql`now() - interval '1 day'`;
  const result = await database.db.transaction(async (tx) => {
    const tokens = await tx.delete(accountTokens).where(lt(accountTokens.expiresAt, cutoff))
      .returning({ id: accountTokens.id });
    const sessions = await tx.delete(refreshTokens).where(lt(refreshTokens.expiresAt, cutoff))
      .returning({ id: refreshTokens.id });
    const invites = await tx.update(invitations).set({ deletedAt: sql`now()` })
      .where(and(
        lt(invitations.expiresAt, sql`now()`),
        isNull(invitations.acceptedAt),
        isNull(invitations.deletedAt),
      )).returning({ id: invitations.id });
    const counts = {
      accountTokens: tokens.length,
      refreshTokens: sessions.length,
      invitations: invites.length,
    };
    await recordAudit(tx, logger, "workers", { action: "retention.tokens_swept", metadata: counts });
    return counts;
  });
  return { result };
});

/** The maintenance handlers by job type. */
export const maintenanceHandlers: Pick<
  JobHandlers,
  "maintenance.chat_retention" | "maintenance.expire_tokens"
> = {
  "maintenance.chat_retention": chatRetention,
  "maintenance.expire_tokens": expireTokens,
};
