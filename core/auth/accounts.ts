/** Accounts: sign-up, profile, password change, role change and the first admin. No HTTP here. */
import { and, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../../shared/audit/audit.ts";
import { mailAccountEvent } from "../accounts/mail.ts";
import { type Db, isUniqueViolation } from "../../shared/db/client.ts";
import { users } from "../../shared/db/schema/users.ts";
import { AppError, ErrorCode, errors } from "../../shared/errors.ts";
import type { Role } from "../../shared/identity.ts";
import type { CoreServices } from "../services.ts";
import {
  checkPasswordPolicy,
  hashPassword,
  normaliseEmail,
  type PasswordHashing,
  verifyPassword,
} from "./password.ts";
import { revokeUserTokens } from "./revocation.ts";
import { issueTokenPair, type TokenConfig, type TokenPair } from "./tokens.ts";

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

/** A row of the users table. */
export type UserRow = typeof users.$inferSelect;

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

/** argon2id parameters from configuration. */
export function hashing(deps: AuthDeps): PasswordHashing {
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

/** A live user by normalised email. */
export async function findByEmail(deps: AuthDeps, email: string): Promise<UserRow | undefined> {
  const [row] = await deps.database.db.select().from(users)
    .where(and(eq(users.email, email), isNull(users.deletedAt))).limit(1);
  return row;
}

/**
 * Inserts a new account; a unique violation (the address was taken meanwhile, by a concurrent request) becomes a
 * 409 saying `conflict`.
 */
export async function insertUser(
  db: Db,
  values: typeof users.$inferInsert,
  conflict = "This account was created at the same time; try again",
): Promise<UserRow> {
  try {
    const [row] = await db.insert(users).values(values).returning();
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) throw errors.conflict(conflict);
    throw err;
  }
}

/** Creates an account with a password. Anyone may sign up; new accounts are students. */
export async function registerAccount(
  deps: AuthDeps,
  input: { email: string; password: string; displayName?: string; role?: Role; emailVerified?: boolean },
): Promise<UserRow> {
  const email = normaliseEmail(input.email);
  checkPasswordPolicy(input.password, email, deps.env.PASSWORD_MIN_LENGTH);
  const passwordHash = await hashPassword(input.password, hashing(deps));
  const row = await insertUser(deps.database.db, {
    email,
    passwordHash,
    role: input.role ?? "STUDENT",
    displayName: input.displayName ?? null,
    emailVerified: input.emailVerified ?? false,
  }, "An account with this email already exists");
  await recordAudit(deps.database.db, deps.logger, "core", {
    action: "auth.register",
    userId: row.id,
    target: `user:${row.id}`,
    metadata: { role: row.role },
  });
  return row;
}

/**
 * Changes a password after checking the current one. Every session of the user is signed out (refresh families and
 * every access token issued so far, on every device) and the caller gets a fresh session instead.
 */
export async function changePassword(
  deps: AuthDeps,
  caller: { userId: string; jti?: string; exp?: number; mfa?: boolean },
  input: { currentPassword?: string; newPassword: string },
): Promise<TokenPair> {
  const user = await findUser(deps, caller.userId);
  // Without a current password to check, a stolen access token could plant a password and keep the account.
  if (!user.passwordHash) {
    throw errors.conflict("This account signs in with Google and has no password to change");
  }
  if (!input.currentPassword || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
    throw new AppError(ErrorCode.UNAUTHORIZED, "The current password is incorrect");
  }
  checkPasswordPolicy(input.newPassword, user.email, deps.env.PASSWORD_MIN_LENGTH);
  const passwordHash = await hashPassword(input.newPassword, hashing(deps));
  await deps.database.db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
    await recordAudit(tx, deps.logger, "core", {
      action: "auth.password_changed",
      userId: user.id,
      target: `user:${user.id}`,
    });
    await mailAccountEvent(deps, tx, user, "password_changed", {});
  });
  await revokeUserTokens(deps, user.id, { reason: "password_changed" });
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

/**
 * An admin changes another user's role (audited). Admins cannot change their own role, so one always remains. The
 * user's tokens and sessions are revoked, so the old role stops working at once (they sign in again).
 */
export async function changeRole(
  deps: AuthDeps,
  actorId: string,
  input: { userId: string; role: Role; reason?: string },
): Promise<UserRow> {
  if (actorId === input.userId) throw errors.conflict("Admins cannot change their own role");
  const before = await findUser(deps, input.userId);
  // Before the change too: when the KV store is down the role does not change (503) rather than change while the
  // old role's tokens keep working.
  await revokeUserTokens(deps, input.userId, { reason: "role_changed" });
  const row = await deps.database.db.transaction(async (tx) => {
    const [row] = await tx.update(users).set({ role: input.role }).where(eq(users.id, input.userId))
      .returning();
    await recordAudit(tx, deps.logger, "core", {
      action: "user.role_changed",
      userId: actorId,
      target: `user:${input.userId}`,
      metadata: { from: before.role, to: input.role, ...(input.reason ? { reason: input.reason } : {}) },
    });
    return row;
  });
  await revokeUserTokens(deps, input.userId, { reason: "role_changed" });
  return row;
}

/**
 * An admin deactivates another account (audited `user.deactivated`): it can no longer sign in, its sessions and
 * access tokens are revoked at once, and its email becomes free again. Admins cannot deactivate themselves.
 */
export async function deactivateUser(
  deps: AuthDeps,
  actorId: string,
  userId: string,
): Promise<void> {
  if (actorId === userId) throw errors.conflict("Admins cannot deactivate their own account");
  const before = await findUser(deps, userId);
  await revokeUserTokens(deps, userId, { reason: "deactivated" });
  await deps.database.db.transaction(async (tx) => {
    await tx.update(users).set({ deletedAt: new Date() }).where(eq(users.id, userId));
    await recordAudit(tx, deps.logger, "core", {
      action: "user.deactivated",
      userId: actorId,
      target: `user:${userId}`,
      metadata: { role: before.role },
    });
  });
  await revokeUserTokens(deps, userId, { reason: "deactivated" });
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
    // Sessions from before the promotion must not carry on as an admin without passing 2FA.
    await revokeUserTokens(deps, user.id, { reason: "role_changed" });
    return { user, created: false };
  }
  // The operator at the command line vouches for the address, so the admin is not locked out by verification.
  const user = await registerAccount(deps, { ...input, role: "ADMIN", emailVerified: true });
  return { user, created: true };
}
