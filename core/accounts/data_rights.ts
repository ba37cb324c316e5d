/**
 * Data rights: a person's data as one archive, and an admin's erasure of an account. Erasure removes or
 * pseudonymises personal data and keeps academic records (enrolments, exam attempts, answers and grades) under the
 * pseudonymised account, as universities must keep assessment records; see docs/identity.md, "Data rights".
 */
import { and, eq, inArray, isNull, or } from "drizzle-orm";
import JSZip from "jszip";
import { recordAudit } from "../../shared/audit/audit.ts";
import { enrollments, userProfiles } from "../../shared/db/schema/academics.ts";
import {
  accountTokens,
  invitations,
  mailMessages,
  notificationPreferences,
  userIdentities,
} from "../../shared/db/schema/accounts.ts";
import { auditEvents } from "../../shared/db/schema/audit.ts";
import { chatMessages, chatSessions } from "../../shared/db/schema/chat.ts";
import { attemptAnswers, examAttempts } from "../../shared/db/schema/exams.ts";
import { notifications } from "../../shared/db/schema/notifications.ts";
import { users } from "../../shared/db/schema/users.ts";
import { errors } from "../../shared/errors.ts";
import { type AuthDeps, findUser, publicUser } from "../auth/accounts.ts";
import { revokeUserTokens } from "../auth/revocation.ts";

const pretty = (value: unknown) => JSON.stringify(value, null, 2) + "\n";

/**
 * Everything the platform holds about one person, as a zip of JSON files (profile, enrolments, chat sessions with
 * their messages, exam attempts with answers and grades, notifications, mail preferences and mail sent, their
 * audit trail). Audited as `data.exported` with who asked.
 */
export async function exportUserData(
  deps: AuthDeps,
  input: { userId: string; actorId: string },
): Promise<Uint8Array> {
  const db = deps.database.db;
  const user = await findUser(deps, input.userId);
  const id = user.id;
  const [profile] = await db.select().from(userProfiles).where(eq(userProfiles.userId, id));
  const sessions = await db.select().from(chatSessions).where(eq(chatSessions.userId, id));
  const messages = await db.select().from(chatMessages).where(eq(chatMessages.userId, id));
  const attempts = await db.select().from(examAttempts).where(eq(examAttempts.userId, id));
  const answers = attempts.length === 0 ? [] : await db.select().from(attemptAnswers)
    .where(inArray(attemptAnswers.attemptId, attempts.map((a) => a.id)));
  const zip = new JSZip();
  zip.file(
    "README.txt",
    `Data held about ${user.email} (account ${id}), exported ${new Date().toISOString()}.\n` +
      "Each .json file is one kind of record. Passwords and two-factor secrets are never exported.\n",
  );
  zip.file("profile.json", pretty({ account: publicUser(user), profile: profile ?? null }));
  zip.file(
    "enrollments.json",
    pretty(await db.select().from(enrollments).where(eq(enrollments.userId, id))),
  );
  zip.file(
    "chat_sessions.json",
    pretty(sessions.map((s) => ({ ...s, messages: messages.filter((m) => m.sessionId === s.id) }))),
  );
  zip.file(
    "exam_attempts.json",
    pretty(attempts.map((a) => ({ ...a, answers: answers.filter((x) => x.attemptId === a.id) }))),
  );
  zip.file(
    "notifications.json",
    pretty(await db.select().from(notifications).where(eq(notifications.userId, id))),
  );
  zip.file(
    "notification_preferences.json",
    pretty(await db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, id))),
  );
  zip.file(
    "mail.json",
    pretty(
      await db.select({
        to: mailMessages.toAddress,
        template: mailMessages.template,
        subject: mailMessages.subject,
        status: mailMessages.status,
        createdAt: mailMessages.createdAt,
        sentAt: mailMessages.sentAt,
      }).from(mailMessages).where(eq(mailMessages.userId, id)),
    ),
  );
  zip.file(
    "sign_in_identities.json",
    pretty(await db.select().from(userIdentities).where(eq(userIdentities.userId, id))),
  );
  zip.file("audit.json", pretty(await db.select().from(auditEvents).where(eq(auditEvents.userId, id))));
  await recordAudit(db, deps.logger, "core", {
    action: "data.exported",
    userId: input.actorId,
    target: `user:${id}`,
  });
  return await zip.generateAsync({ type: "uint8array", compression: "DEFLATE" });
}

/** The address an erased account is left with: unique, undeliverable (`.invalid` is reserved, RFC 2606). */
export function erasedEmail(userId: string): string {
  return `erased-${userId}@erased.invalid`;
}

/**
 * Erases an account (admins; not their own): signs it out everywhere; removes credentials, profile name, external
 * identities, tokens, preferences and pending invitations; blanks chat transcripts, notifications and mail bodies;
 * replaces the email; marks it erased and deleted. Kept, under the pseudonymous id: enrolments, exam attempts,
 * answers and grades (academic records) and the audit trail. Audited as `user.erased`.
 */
export async function eraseUser(
  deps: AuthDeps,
  input: { userId: string; actorId: string },
): Promise<{ erasedAt: Date }> {
  if (input.userId === input.actorId) throw errors.conflict("Admins cannot erase their own account");
  const [user] = await deps.database.db.select().from(users).where(eq(users.id, input.userId)).limit(1);
  if (!user || user.erasedAt) throw errors.notFound("User");
  const erasedAt = new Date();
  const id = user.id;
  await deps.database.db.transaction(async (tx) => {
    await revokeUserTokens(deps, id, { reason: "erased", db: tx });
    await tx.update(users).set({
      email: erasedEmail(id),
      displayName: null,
      passwordHash: null,
      googleSub: null,
      totpSecret: null,
      totpEnabledAt: null,
      totpLastStep: null,
      emailVerified: false,
      erasedAt,
      deletedAt: user.deletedAt ?? erasedAt,
    }).where(eq(users.id, id));
    await tx.update(userProfiles).set({ fullName: "" }).where(eq(userProfiles.userId, id));
    await tx.delete(userIdentities).where(eq(userIdentities.userId, id));
    await tx.delete(accountTokens).where(eq(accountTokens.userId, id));
    await tx.delete(notificationPreferences).where(eq(notificationPreferences.userId, id));
    await tx.update(invitations).set({ revokedAt: erasedAt, email: erasedEmail(id) }).where(and(
      or(eq(invitations.email, user.email), eq(invitations.acceptedBy, id)),
      isNull(invitations.revokedAt),
    ));
    await tx.update(notifications).set({ title: "", body: "", data: {}, deletedAt: erasedAt })
      .where(eq(notifications.userId, id));
    await tx.update(mailMessages).set({ toAddress: erasedEmail(id), subject: "", text: "", html: "" })
      .where(or(eq(mailMessages.userId, id), eq(mailMessages.toAddress, user.email)));
    await tx.update(chatMessages).set({ content: "", citations: [], error: null })
      .where(eq(chatMessages.userId, id));
    await tx.update(chatSessions).set({ title: "", deletedAt: erasedAt }).where(eq(chatSessions.userId, id));
    await recordAudit(tx, deps.logger, "core", {
      action: "user.erased",
      userId: input.actorId,
      target: `user:${id}`,
      metadata: { kept: ["enrollments", "exam_attempts", "attempt_answers", "audit_events"] },
    });
  });
  return { erasedAt };
}
