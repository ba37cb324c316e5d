/** Single-use account tokens (password reset, email verification): 32 random bytes, stored as SHA-256. */
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "../../shared/db/client.ts";
import { accountTokens } from "../../shared/db/schema/accounts.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import { randomToken, sha256Hex } from "../../shared/crypto.ts";

/** A purpose an account token serves. */
export type AccountTokenPurpose = typeof accountTokens.$inferSelect["purpose"];

/** SHA-256 of a token, hex: what the database keeps. */
export function hashToken(token: string): Promise<string> {
  return sha256Hex(token);
}

/**
 * Issues a token for one purpose and withdraws the user's earlier unused ones of the same purpose, so only the
 * newest link works. Returns the raw token (only the mail carries it).
 */
export async function issueAccountToken(
  tx: Db,
  input: { userId: string; purpose: AccountTokenPurpose; email: string; ttlMs: number },
): Promise<string> {
  const now = new Date();
  await tx.update(accountTokens).set({ usedAt: now }).where(and(
    eq(accountTokens.userId, input.userId),
    eq(accountTokens.purpose, input.purpose),
    isNull(accountTokens.usedAt),
  ));
  const token = randomToken();
  await tx.insert(accountTokens).values({
    userId: input.userId,
    purpose: input.purpose,
    email: input.email,
    tokenHash: await hashToken(token),
    expiresAt: new Date(now.getTime() + input.ttlMs),
  });
  return token;
}

/** The error for any token that cannot be used: unknown, used, expired or of another purpose. */
export const invalidLink = () =>
  new AppError(ErrorCode.BAD_REQUEST, "This link is not valid or has expired; ask for a new one", {
    details: { reason: "invalid_or_expired_token" },
  });

/**
 * Uses a token: one conditional UPDATE marks it used only if it is unused, unexpired and of this purpose, so two
 * concurrent uses cannot both win. Throws `invalidLink()` otherwise.
 */
export async function consumeAccountToken(
  tx: Db,
  token: string,
  purpose: AccountTokenPurpose,
): Promise<typeof accountTokens.$inferSelect> {
  const now = new Date();
  const [row] = await tx.update(accountTokens).set({ usedAt: now }).where(and(
    eq(accountTokens.tokenHash, await hashToken(token)),
    eq(accountTokens.purpose, purpose),
    isNull(accountTokens.usedAt),
    gt(accountTokens.expiresAt, now),
  )).returning();
  if (!row) throw invalidLink();
  return row;
}
