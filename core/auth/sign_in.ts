/** Signing in: password (+ TOTP), throttled; and Google. No HTTP here. */
import { and, eq, gt, isNull } from "drizzle-orm";
import { recordAudit } from "../../shared/audit/audit.ts";
import { refreshTokens } from "../../shared/db/schema/identity.ts";
import { users } from "../../shared/db/schema/users.ts";
import { AppError, ErrorCode, errors } from "../../shared/errors.ts";
import { type AuthDeps, findByEmail, hashing, insertUser, tokenConfig, type UserRow } from "./accounts.ts";
import { verifyGoogleIdToken } from "./google.ts";
import { burnPasswordCheck, hashPassword, normaliseEmail, verifyPassword } from "./password.ts";
import {
  assertLoginAllowed,
  clearLoginFailures,
  recordLoginFailure,
  type ThrottleLimits,
} from "./throttle.ts";
import { checkTotp } from "./totp.ts";
import { mailAccountEvent } from "../accounts/mail.ts";
import { revokeUserTokens } from "./revocation.ts";
import { hashRefreshToken, issueTokenPair, type TokenPair } from "./tokens.ts";

/** After a successful check, re-hashes a password stored with other argon2 parameters than the configured ones. */
async function rehashIfOutdated(
  deps: AuthDeps,
  userId: string,
  hash: string,
  password: string,
): Promise<void> {
  const h = hashing(deps);
  if (hash.includes(`$m=${h.memoryKib},t=${h.iterations},p=${h.parallelism}$`)) return;
  const passwordHash = await hashPassword(password, h);
  await deps.database.db.update(users).set({ passwordHash }).where(eq(users.id, userId));
}

/** The one answer for any wrong credential, so callers cannot tell which part was wrong. */
const badCredentials = () => new AppError(ErrorCode.UNAUTHORIZED, "Email or password is incorrect");

/**
 * Whether a refresh token the client sent (cookie or body) was issued to this account and has not expired: proof
 * that this device signed in to the account before, so the account's slow-down does not apply to it (a revoked or
 * rotated token still proves that; it grants nothing by itself, the password is still checked).
 */
async function isRecognisedDevice(deps: AuthDeps, userId: string, refreshToken?: string): Promise<boolean> {
  if (!refreshToken) return false;
  const [row] = await deps.database.db.select({ userId: refreshTokens.userId }).from(refreshTokens)
    .where(and(
      eq(refreshTokens.tokenHash, await hashRefreshToken(refreshToken)),
      gt(refreshTokens.expiresAt, new Date()),
    )).limit(1);
  return row?.userId === userId;
}

/** The sign-in throttle's settings from configuration. */
export function throttleLimits(deps: AuthDeps): ThrottleLimits {
  return {
    freeFailures: deps.env.LOGIN_MAX_FAILURES_PER_EMAIL,
    maxDelaySeconds: deps.env.LOGIN_MAX_DELAY_SECONDS,
    perIp: deps.env.LOGIN_MAX_FAILURES_PER_IP,
    windowSeconds: deps.env.LOGIN_THROTTLE_WINDOW_SECONDS,
  };
}

/**
 * Password sign-in, throttled on failures (see `throttle.ts`): per account a progressive slow-down that a device
 * which signed in to the account before (`refreshToken`) skips, per IP a high failure limit. Accounts with 2FA
 * also need a current TOTP code; a session that passed it gets `mfa: true` in its tokens.
 */
export async function login(
  deps: AuthDeps,
  input: { email: string; password: string; totpCode?: string; ip: string; refreshToken?: string },
): Promise<{ user: UserRow; tokens: TokenPair }> {
  const email = normaliseEmail(input.email);
  const limits = throttleLimits(deps);
  const user = await findByEmail(deps, email);
  const who = {
    email,
    ip: input.ip,
    recognisedDevice: user ? await isRecognisedDevice(deps, user.id, input.refreshToken) : false,
  };
  await assertLoginAllowed(deps.kv, deps.logger, limits, who);
  const ok = user?.passwordHash
    ? await verifyPassword(input.password, user.passwordHash)
    : (await burnPasswordCheck(input.password, hashing(deps)), false);
  if (!user || !ok) {
    await recordLoginFailure(deps.kv, deps.logger, limits, who);
    throw badCredentials();
  }
  await rehashIfOutdated(deps, user.id, user.passwordHash!, input.password);
  // Only after the right password, so the answer tells nothing about the account to someone guessing.
  if (deps.env.EMAIL_VERIFICATION === "required" && !user.emailVerified) {
    throw new AppError(ErrorCode.FORBIDDEN, "Confirm your email address first; a new link can be sent", {
      details: { emailVerificationRequired: true },
    });
  }
  let mfa = false;
  if (user.totpEnabledAt && user.totpSecret) {
    if (!input.totpCode) {
      throw new AppError(ErrorCode.UNAUTHORIZED, "A two-factor code is required", {
        details: { mfaRequired: true },
      });
    }
    const step = checkTotp(user.totpSecret, input.totpCode, user.totpLastStep);
    if (step === null) {
      await recordLoginFailure(deps.kv, deps.logger, limits, who);
      throw new AppError(ErrorCode.UNAUTHORIZED, "The two-factor code is not valid", {
        details: { mfaRequired: true },
      });
    }
    await deps.database.db.update(users).set({ totpLastStep: step }).where(eq(users.id, user.id));
    mfa = true;
  }
  await clearLoginFailures(deps.kv, email);
  const tokens = await issueTokenPair(deps.database.db, tokenConfig(deps), {
    userId: user.id,
    role: user.role,
    mfa,
  });
  await recordAudit(deps.database.db, deps.logger, "core", {
    action: "auth.login",
    userId: user.id,
    target: `user:${user.id}`,
    metadata: { method: "password", mfa },
  });
  return { user, tokens };
}

/**
 * Google sign-in: finds the account by Google subject, else links the account with the same (Google-verified)
 * email, else creates a student. Linking an account whose email was never verified drops its password and
 * sessions. Google sessions never count as 2FA.
 */
export async function googleSignIn(
  deps: AuthDeps,
  idToken: string,
): Promise<{ user: UserRow; tokens: TokenPair }> {
  if (!deps.env.GOOGLE_CLIENT_ID) throw errors.unavailable("Google sign-in is not configured");
  const profile = await verifyGoogleIdToken(idToken, {
    clientId: deps.env.GOOGLE_CLIENT_ID,
    jwksUrl: deps.env.GOOGLE_JWKS_URL,
  });
  const email = normaliseEmail(profile.email);
  const db = deps.database.db;
  let [user] = await db.select().from(users)
    .where(and(eq(users.googleSub, profile.sub), isNull(users.deletedAt))).limit(1);
  let action = "auth.login";
  let passwordCleared = false;
  if (!user) {
    const existing = await findByEmail(deps, email);
    if (existing) {
      // Nobody ever proved this mailbox for an unverified account: whoever registered it first (perhaps an attacker
      // squatting the address) must not keep a password into the account Google's owner now uses.
      const squatted = !existing.emailVerified && existing.passwordHash !== null;
      [user] = await db.update(users)
        .set({ googleSub: profile.sub, emailVerified: true, ...(squatted ? { passwordHash: null } : {}) })
        .where(eq(users.id, existing.id)).returning();
      if (squatted) await revokeUserTokens(deps, existing.id, { reason: "google_linked" });
      await mailAccountEvent(deps, db, user, "sign_in_method_added", { method: "Google" });
      action = "auth.google_linked";
      passwordCleared = squatted;
    } else {
      user = await insertUser(db, {
        email,
        googleSub: profile.sub,
        emailVerified: true,
        displayName: profile.name ?? null,
      });
      action = "auth.register";
    }
  }
  const tokens = await issueTokenPair(db, tokenConfig(deps), {
    userId: user.id,
    role: user.role,
    mfa: false,
  });
  await recordAudit(db, deps.logger, "core", {
    action,
    userId: user.id,
    target: `user:${user.id}`,
    metadata: { method: "google", ...(passwordCleared ? { passwordCleared } : {}) },
  });
  return { user, tokens };
}
