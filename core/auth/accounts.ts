/** Accounts: sign-up, password sign-in, Google sign-in, profile, password change and role change. No HTTP here. */
import { and, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../../shared/audit/audit.ts";
import { users } from "../../shared/db/schema/users.ts";
import { AppError, ErrorCode, errors } from "../../shared/errors.ts";
import type { Role } from "../../shared/identity.ts";
import type { CoreServices } from "../services.ts";
import { verifyGoogleIdToken } from "./google.ts";
import {
  burnPasswordCheck,
  checkPasswordPolicy,
  hashPassword,
  normaliseEmail,
  verifyPassword,
} from "./password.ts";
import { assertLoginAllowed, clearLoginFailures, recordLoginFailure } from "./throttle.ts";
import { checkTotp } from "./totp.ts";
import {
  issueTokenPair,
  revokeAccessToken,
  revokeAllSessions,
  type TokenConfig,
  type TokenPair,
} from "./tokens.ts";

/** What the account functions use from core's services. */
export type AuthDeps = Pick<CoreServices, "database" | "kv" | "logger" | "env" | "keys">;

/** A user as the API shows it. */
export interface PublicUser {
  id: string;
  email: string;
  role: Role;
  displayName: string | null;
  emailVerified: boolean;
  mfaEnabled: boolean;
  createdAt: string;
}

type UserRow = typeof users.$inferSelect;

/** The API view of a user row (never the hash or the TOTP secret). */
export function publicUser(row: UserRow): PublicUser {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    displayName: row.displayName,
    emailVerified: row.emailVerified,
    mfaEnabled: row.totpEnabledAt !== null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Token settings from configuration. */
export function tokenConfig(deps: AuthDeps): TokenConfig {
  return {
    keys: deps.keys,
    issuer: deps.env.JWT_ISSUER,
    audience: deps.env.JWT_AUDIENCE,
    accessTtlSeconds: deps.env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTtlSeconds: deps.env.REFRESH_TOKEN_TTL_SECONDS,
  };
}

function hashing(deps: AuthDeps) {
  return {
    memoryKib: deps.env.ARGON2_MEMORY_KIB,
    iterations: deps.env.ARGON2_ITERATIONS,
    parallelism: deps.env.ARGON2_PARALLELISM,
  };
}

/** A live (not deleted) user by id, or NOT_FOUND. */
export async function findUser(deps: AuthDeps, userId: string): Promise<UserRow> {
  const [row] = await deps.database.db.select().from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt))).limit(1);
  if (!row) throw errors.notFound("User");
  return row;
}

async function findByEmail(deps: AuthDeps, email: string): Promise<UserRow | undefined> {
  const [row] = await deps.database.db.select().from(users)
    .where(and(eq(users.email, email), isNull(users.deletedAt))).limit(1);
  return row;
}

function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === "23505") return true;
  }
  return false;
}

/** Creates an account with a password. Anyone may sign up; new accounts are students. */
export async function registerAccount(
  deps: AuthDeps,
  input: { email: string; password: string; displayName?: string; role?: Role },
): Promise<UserRow> {
  const email = normaliseEmail(input.email);
  checkPasswordPolicy(input.password, email, deps.env.PASSWORD_MIN_LENGTH);
  const passwordHash = await hashPassword(input.password, hashing(deps));
  let row: UserRow;
  try {
    [row] = await deps.database.db.insert(users).values({
      email,
      passwordHash,
      role: input.role ?? "STUDENT",
      displayName: input.displayName ?? null,
    }).returning();
  } catch (err) {
    if (isUniqueViolation(err)) throw errors.conflict("An account with this email already exists");
    throw err;
  }
  await recordAudit(deps.database.db, deps.logger, "core", {
    action: "auth.register",
    userId: row.id,
    target: `user:${row.id}`,
    metadata: { role: row.role },
  });
  return row;
}

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
 * Password sign-in, throttled per email and per IP. Accounts with 2FA also need a current TOTP code; a session
 * that passed it gets `mfa: true` in its tokens.
 */
export async function login(
  deps: AuthDeps,
  input: { email: string; password: string; totpCode?: string; ip: string },
): Promise<{ user: UserRow; tokens: TokenPair }> {
  const email = normaliseEmail(input.email);
  const limits = {
    perEmail: deps.env.LOGIN_MAX_FAILURES_PER_EMAIL,
    perIp: deps.env.LOGIN_MAX_FAILURES_PER_IP,
    windowSeconds: deps.env.LOGIN_THROTTLE_WINDOW_SECONDS,
  };
  const who = { email, ip: input.ip };
  await assertLoginAllowed(deps.kv, deps.logger, limits, who);
  const user = await findByEmail(deps, email);
  const ok = user?.passwordHash
    ? await verifyPassword(input.password, user.passwordHash)
    : (await burnPasswordCheck(input.password, hashing(deps)), false);
  if (!user || !ok) {
    await recordLoginFailure(deps.kv, deps.logger, limits, who);
    throw badCredentials();
  }
  await rehashIfOutdated(deps, user.id, user.passwordHash!, input.password);
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
 * email, else creates a student. Such sessions never count as 2FA.
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
  if (!user) {
    const existing = await findByEmail(deps, email);
    if (existing) {
      [user] = await db.update(users).set({ googleSub: profile.sub, emailVerified: true })
        .where(eq(users.id, existing.id)).returning();
      action = "auth.google_linked";
    } else {
      try {
        [user] = await db.insert(users).values({
          email,
          googleSub: profile.sub,
          emailVerified: true,
          displayName: profile.name ?? null,
        }).returning();
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw errors.conflict("This account was created at the same time; try again");
        }
        throw err;
      }
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
    metadata: { method: "google" },
  });
  return { user, tokens };
}

/**
 * Changes a password after checking the current one. Every session of the user is signed out (refresh families
 * revoked, the presented access token put on the revocation list) and the caller gets a fresh session instead.
 */
export async function changePassword(
  deps: AuthDeps,
  caller: { userId: string; jti?: string; exp?: number; mfa?: boolean },
  input: { currentPassword?: string; newPassword: string },
): Promise<TokenPair> {
  const user = await findUser(deps, caller.userId);
  if (user.passwordHash) {
    if (!input.currentPassword || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
      throw new AppError(ErrorCode.UNAUTHORIZED, "The current password is incorrect");
    }
  }
  checkPasswordPolicy(input.newPassword, user.email, deps.env.PASSWORD_MIN_LENGTH);
  const passwordHash = await hashPassword(input.newPassword, hashing(deps));
  await deps.database.db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
    await revokeAllSessions(tx, user.id);
    await recordAudit(tx, deps.logger, "core", {
      action: "auth.password_changed",
      userId: user.id,
      target: `user:${user.id}`,
    });
  });
  if (caller.jti && caller.exp) await revokeAccessToken(deps.kv, caller.jti, caller.exp);
  return issueTokenPair(deps.database.db, tokenConfig(deps), {
    userId: user.id,
    role: user.role,
    mfa: caller.mfa === true,
  });
}

/** Updates the caller's own profile fields. */
export async function updateProfile(
  deps: AuthDeps,
  userId: string,
  input: { displayName?: string | null },
): Promise<UserRow> {
  await findUser(deps, userId);
  if (input.displayName === undefined) return findUser(deps, userId);
  const [row] = await deps.database.db.update(users).set({ displayName: input.displayName })
    .where(eq(users.id, userId)).returning();
  return row;
}

/** An admin changes another user's role (audited). Admins cannot change their own role, so one always remains. */
export async function changeRole(
  deps: AuthDeps,
  actorId: string,
  input: { userId: string; role: Role },
): Promise<UserRow> {
  if (actorId === input.userId) throw errors.conflict("Admins cannot change their own role");
  const before = await findUser(deps, input.userId);
  return await deps.database.db.transaction(async (tx) => {
    const [row] = await tx.update(users).set({ role: input.role }).where(eq(users.id, input.userId))
      .returning();
    await recordAudit(tx, deps.logger, "core", {
      action: "user.role_changed",
      userId: actorId,
      target: `user:${input.userId}`,
      metadata: { from: before.role, to: input.role },
    });
    return row;
  });
}

/** Creates the first admin (or promotes an existing account) from the command line, never over HTTP. */
export async function createAdmin(
  deps: AuthDeps,
  input: { email: string; password: string; displayName?: string },
): Promise<{ user: UserRow; created: boolean }> {
  const existing = await findByEmail(deps, normaliseEmail(input.email));
  if (existing) {
    const [user] = await deps.database.db.update(users).set({ role: "ADMIN" })
      .where(eq(users.id, existing.id)).returning();
    await recordAudit(deps.database.db, deps.logger, "core", {
      action: "user.role_changed",
      target: `user:${user.id}`,
      metadata: { from: existing.role, to: "ADMIN", via: "admin:create" },
    });
    return { user, created: false };
  }
  const user = await registerAccount(deps, { ...input, role: "ADMIN" });
  return { user, created: true };
}
