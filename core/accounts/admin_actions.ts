/**
 * What an admin can do to someone else's account besides changing the role: bring a deactivated account back,
 * forget a throttled account's failed sign-ins, sign the user out on every device. Each is audited with the admin
 * as the actor; each refusal says why.
 */
import { and, eq, isNotNull, isNull, ne } from "drizzle-orm";
import { recordAudit } from "../../shared/audit/audit.ts";
import { users } from "../../shared/db/schema/users.ts";
import { errors } from "../../shared/errors.ts";
import { type AuthDeps, findUser, type UserRow } from "../auth/accounts.ts";
import { revokeUserTokens } from "../auth/revocation.ts";
import { unlockAccount } from "../auth/throttle.ts";

/** Brings a deactivated account back. Refused when the account is live or erased, or another live account took its email. */
export async function reactivateUser(deps: AuthDeps, actorId: string, userId: string): Promise<UserRow> {
  const db = deps.database.db;
  const [row] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!row) throw errors.notFound("User");
  if (!row.deletedAt) throw errors.conflict("This account is not deactivated");
  if (row.erasedAt) throw errors.conflict("This account was erased; it cannot be brought back");
  const [taken] = await db.select({ id: users.id }).from(users)
    .where(and(eq(users.email, row.email), isNull(users.deletedAt), ne(users.id, userId))).limit(1);
  if (taken) {
    throw errors.conflict(
      "Another live account now uses this email; deactivate it first to bring this one back",
    );
  }
  return await db.transaction(async (tx) => {
    const [updated] = await tx.update(users).set({ deletedAt: null })
      .where(and(eq(users.id, userId), isNotNull(users.deletedAt), isNull(users.erasedAt))).returning();
    if (!updated) throw errors.conflict("This account is not deactivated");
    await recordAudit(tx, deps.logger, "core", {
      action: "user.reactivated",
      userId: actorId,
      target: `user:${userId}`,
      metadata: { role: updated.role },
    });
    return updated;
  });
}

/** Forgets a live account's failed sign-ins, so its owner is not slowed down any more. */
export async function unlockUser(
  deps: AuthDeps,
  actorId: string,
  userId: string,
): Promise<{ failures: number }> {
  const user = await findUser(deps, userId);
  const result = await unlockAccount(deps.kv, user.email);
  await recordAudit(deps.database.db, deps.logger, "core", {
    action: "user.unlocked",
    userId: actorId,
    target: `user:${userId}`,
    metadata: { failures: result.failures },
  });
  return result;
}

/** Ends every session of a live user on every device (their access tokens stop working on the next call). */
export async function signOutEverywhere(deps: AuthDeps, actorId: string, userId: string): Promise<void> {
  await findUser(deps, userId);
  await revokeUserTokens(deps, userId, { reason: "signed_out_by_admin" });
  await recordAudit(deps.database.db, deps.logger, "core", {
    action: "user.signed_out_everywhere",
    userId: actorId,
    target: `user:${userId}`,
  });
}
