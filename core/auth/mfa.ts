/** TOTP two-factor enrolment. Admins must enrol before they can do anything else (their tokens carry `mfa`). */
import { eq } from "drizzle-orm";
import { recordAudit } from "../../shared/audit/audit.ts";
import { users } from "../../shared/db/schema/users.ts";
import { AppError, ErrorCode, errors } from "../../shared/errors.ts";
import { type AuthDeps, findUser, tokenConfig } from "./accounts.ts";
import { issueTokenPair, revokeFamilyOf, type TokenPair } from "./tokens.ts";
import { checkTotp, newTotpSecret } from "./totp.ts";

/** Starts enrolment: stores a pending secret and returns it with its `otpauth://` URI. Calling again replaces it. */
export async function startTotpEnrolment(
  deps: AuthDeps,
  userId: string,
): Promise<{ secret: string; otpauthUri: string }> {
  const user = await findUser(deps, userId);
  if (user.totpEnabledAt) throw errors.conflict("Two-factor authentication is already enabled");
  const { secret, uri } = newTotpSecret(deps.env.TOTP_ISSUER, user.email);
  await deps.database.db.update(users).set({ totpSecret: secret, totpLastStep: null }).where(
    eq(users.id, userId),
  );
  return { secret, otpauthUri: uri };
}

/**
 * Finishes enrolment with a first valid code: 2FA is on, the session the caller came from (its refresh cookie,
 * when sent) is replaced by a new one whose tokens carry `mfa: true`.
 */
export async function confirmTotpEnrolment(
  deps: AuthDeps,
  userId: string,
  input: { code: string; refreshToken?: string },
): Promise<TokenPair> {
  const user = await findUser(deps, userId);
  if (user.totpEnabledAt) throw errors.conflict("Two-factor authentication is already enabled");
  if (!user.totpSecret) throw errors.conflict("Start enrolment first (POST /v1/auth/2fa/enrol)");
  const step = checkTotp(user.totpSecret, input.code, user.totpLastStep);
  if (step === null) throw new AppError(ErrorCode.UNAUTHORIZED, "The two-factor code is not valid");
  const db = deps.database.db;
  await db.transaction(async (tx) => {
    await tx.update(users).set({ totpEnabledAt: new Date(), totpLastStep: step }).where(eq(users.id, userId));
    await recordAudit(tx, deps.logger, "core", {
      action: "auth.2fa_enrolled",
      userId,
      target: `user:${userId}`,
      metadata: { method: "totp" },
    });
  });
  if (input.refreshToken) await revokeFamilyOf(db, input.refreshToken);
  return issueTokenPair(db, tokenConfig(deps), { userId, role: user.role, mfa: true });
}

/**
 * Turns two-factor sign-in off after a valid current code (a stolen session alone cannot do it). Admins must keep
 * it, so they get 403. The pending or active secret is removed; sessions stay signed in.
 */
export async function disableTotp(deps: AuthDeps, userId: string, code: string): Promise<void> {
  const user = await findUser(deps, userId);
  if (user.role === "ADMIN") throw errors.forbidden("Administrators must keep two-factor authentication");
  if (!user.totpEnabledAt || !user.totpSecret) {
    throw errors.conflict("Two-factor authentication is not enabled");
  }
  if (checkTotp(user.totpSecret, code, user.totpLastStep) === null) {
    throw new AppError(ErrorCode.UNAUTHORIZED, "The two-factor code is not valid");
  }
  await deps.database.db.transaction(async (tx) => {
    await tx.update(users).set({ totpEnabledAt: null, totpSecret: null, totpLastStep: null }).where(
      eq(users.id, userId),
    );
    await recordAudit(tx, deps.logger, "core", {
      action: "auth.2fa_disabled",
      userId,
      target: `user:${userId}`,
      metadata: { method: "totp" },
    });
  });
}
