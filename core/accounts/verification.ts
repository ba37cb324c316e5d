/** Email verification: a link mailed at sign-up (and on request) proves the address. */
import { eq } from "drizzle-orm";
import { recordAudit } from "../../shared/audit/audit.ts";
import type { Db } from "../../shared/db/client.ts";
import { users } from "../../shared/db/schema/users.ts";
import { queueMail } from "../../shared/mail/outbox.ts";
import { type AuthDeps, type UserRow } from "../auth/accounts.ts";
import { consumeAccountToken, invalidLink, issueAccountToken } from "./account_tokens.ts";
import { applyPendingInvitations } from "./invitations.ts";
import { mailLocaleOf, tokenLink } from "./mail.ts";
import { accountAskingForMail } from "./mail_limits.ts";

/** Issues a verification link for a user's current address and queues the mail, in `tx`. */
export async function queueVerificationMail(deps: AuthDeps, tx: Db, user: UserRow): Promise<void> {
  const env = deps.env;
  const token = await issueAccountToken(tx, {
    userId: user.id,
    purpose: "email_verification",
    email: user.email,
    ttlMs: env.EMAIL_VERIFICATION_TTL_HOURS * 3_600_000,
  });
  await queueMail(tx, {
    to: user.email,
    userId: user.id,
    locale: await mailLocaleOf(tx, env, user.id),
    template: "verify_email",
    params: { link: tokenLink(env, "verify-email", token), hours: env.EMAIL_VERIFICATION_TTL_HOURS },
    maxAttempts: env.MAIL_MAX_ATTEMPTS,
  });
}

/** Mails a new verification link to an unverified account; the same answer for any address (no enumeration). */
export async function resendVerification(
  deps: AuthDeps,
  input: { email: string; ip: string },
): Promise<void> {
  const { user } = await accountAskingForMail(deps, input);
  if (!user || user.emailVerified) return;
  await deps.database.db.transaction((tx) => queueVerificationMail(deps, tx, user));
}

/**
 * Confirms an address with a verification link (once, before it expires, only for the address it was sent to).
 * Invitations waiting for that address are then applied: the person proved the mailbox they were invited at.
 */
export async function verifyEmail(
  deps: AuthDeps,
  token: string,
): Promise<{ user: UserRow; enrolledCourseIds: string[] }> {
  return await deps.database.db.transaction(async (tx) => {
    const used = await consumeAccountToken(tx, token, "email_verification");
    const [current] = await tx.select().from(users).where(eq(users.id, used.userId)).limit(1);
    if (!current || current.deletedAt || current.email !== used.email) throw invalidLink();
    const [user] = await tx.update(users).set({ emailVerified: true }).where(eq(users.id, current.id))
      .returning();
    await recordAudit(tx, deps.logger, "core", {
      action: "auth.email_verified",
      userId: user.id,
      target: `user:${user.id}`,
    });
    const enrolledCourseIds = await applyPendingInvitations(deps, tx, user);
    return { user, enrolledCourseIds };
  });
}
