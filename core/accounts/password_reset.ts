/** Password reset by mail: a single-use, short-lived link; every session ends when it is used. */
import { eq } from "drizzle-orm";
import { recordAudit } from "../../shared/audit/audit.ts";
import { users } from "../../shared/db/schema/users.ts";
import { queueMail } from "../../shared/mail/outbox.ts";
import { type AuthDeps, hashing } from "../auth/accounts.ts";
import { checkPasswordPolicy, hashPassword } from "../auth/password.ts";
import { consumeAccountToken, invalidLink, issueAccountToken } from "./account_tokens.ts";
import { mailAccountEvent, mailLocaleOf, tokenLink } from "./mail.ts";
import { accountAskingForMail } from "./mail_limits.ts";
import { revokeUserTokens } from "../auth/revocation.ts";

/**
 * Asks for a reset link. The answer is the same whether or not the address has an account (no enumeration); the
 * request counts against the mail limits either way.
 */
export async function requestPasswordReset(
  deps: AuthDeps,
  input: { email: string; ip: string },
): Promise<void> {
  const { email, user } = await accountAskingForMail(deps, input);
  if (!user) return;
  const env = deps.env;
  await deps.database.db.transaction(async (tx) => {
    const token = await issueAccountToken(tx, {
      userId: user.id,
      purpose: "password_reset",
      email,
      ttlMs: env.PASSWORD_RESET_TTL_MINUTES * 60_000,
    });
    await queueMail(tx, {
      to: email,
      userId: user.id,
      locale: await mailLocaleOf(tx, env, user.id),
      template: "password_reset",
      params: { link: tokenLink(env, "reset-password", token), minutes: env.PASSWORD_RESET_TTL_MINUTES },
      maxAttempts: env.MAIL_MAX_ATTEMPTS,
    });
    await recordAudit(tx, deps.logger, "core", {
      action: "auth.password_reset_requested",
      userId: user.id,
      target: `user:${user.id}`,
    });
  });
}

/**
 * Sets a new password with a reset link. The link works once, before it expires, and only while the account still
 * has the address it was sent to. Proves the mailbox, so the email counts as verified. Signs the user out
 * everywhere and mails them that the password changed.
 */
export async function resetPassword(
  deps: AuthDeps,
  input: { token: string; newPassword: string },
): Promise<void> {
  const env = deps.env;
  await deps.database.db.transaction(async (tx) => {
    const used = await consumeAccountToken(tx, input.token, "password_reset");
    const [user] = await tx.select().from(users).where(eq(users.id, used.userId)).limit(1);
    if (!user || user.deletedAt || user.email !== used.email) throw invalidLink();
    checkPasswordPolicy(input.newPassword, user.email, env.PASSWORD_MIN_LENGTH);
    const passwordHash = await hashPassword(input.newPassword, hashing(deps));
    await tx.update(users).set({ passwordHash, emailVerified: true }).where(eq(users.id, user.id));
    await revokeUserTokens(deps, user.id, { reason: "password_reset", db: tx });
    await recordAudit(tx, deps.logger, "core", {
      action: "auth.password_reset",
      userId: user.id,
      target: `user:${user.id}`,
    });
    await mailAccountEvent(deps, tx, user, "password_changed", {});
  });
}
