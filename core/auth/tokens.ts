/** Access tokens (signed JWTs) and refresh tokens (opaque, stored hashed, rotated, revoked by family). */
import { and, eq, gt, isNull } from "drizzle-orm";
import { SignJWT } from "jose";
import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP } from "../../shared/access_token.ts";
import type { Db } from "../../shared/db/client.ts";
import { refreshTokens } from "../../shared/db/schema/identity.ts";
import { users } from "../../shared/db/schema/users.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import type { Role } from "../../shared/identity.ts";
import type { KvStore } from "../../shared/kv/interface.ts";
import { recordTokenRevocation } from "../../shared/kv/revocation.ts";
import type { KeyRing } from "./keys.ts";
import { randomToken, sha256Hex } from "../../shared/crypto.ts";

/** What signing and storing tokens needs. */
export interface TokenConfig {
  keys: KeyRing;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

/** A new session's tokens. */
export interface TokenPair {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: Date;
}

/** Signs a 15-minute (configurable) access token for a user. */
export async function signAccessToken(
  config: TokenConfig,
  subject: { userId: string; role: Role; mfa: boolean },
): Promise<{ token: string; jti: string; exp: number }> {
  const { kid, key } = await config.keys.signingKey();
  const now = Date.now();
  const iat = Math.floor(now / 1000);
  const exp = iat + config.accessTtlSeconds;
  const jti = crypto.randomUUID();
  const token = await new SignJWT({ role: subject.role, mfa: subject.mfa, iat_ms: now })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid, typ: ACCESS_TOKEN_TYP })
    .setSubject(subject.userId)
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .sign(key);
  return { token, jti, exp };
}

/** SHA-256 of a refresh token, hex: the only form in which it is stored. */
export function hashRefreshToken(token: string): Promise<string> {
  return sha256Hex(token);
}

async function storeRefreshToken(
  db: Db,
  config: TokenConfig,
  session: { userId: string; familyId: string; mfa: boolean },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const expiresAt = new Date(Date.now() + config.refreshTtlSeconds * 1000);
  await db.insert(refreshTokens).values({
    userId: session.userId,
    familyId: session.familyId,
    tokenHash: await hashRefreshToken(token),
    mfa: session.mfa,
    expiresAt,
  });
  return { token, expiresAt };
}

/** Starts a session: a new refresh-token family and a first access token. */
export async function issueTokenPair(
  db: Db,
  config: TokenConfig,
  subject: { userId: string; role: Role; mfa: boolean },
): Promise<TokenPair> {
  const refresh = await storeRefreshToken(db, config, { ...subject, familyId: crypto.randomUUID() });
  const access = await signAccessToken(config, subject);
  return {
    accessToken: access.token,
    expiresIn: config.accessTtlSeconds,
    refreshToken: refresh.token,
    refreshExpiresAt: refresh.expiresAt,
  };
}

/** What a refresh attempt found, for auditing reuse. */
export type RefreshOutcome =
  | { ok: true; pair: TokenPair; userId: string }
  | { ok: false; reused?: { userId: string; familyId: string } };

/**
 * Exchanges a refresh token for a new pair. The token is marked used in one conditional update, so two concurrent
 * uses cannot both win; presenting an already used token revokes its whole family.
 */
export async function rotateRefreshToken(
  db: Db,
  config: TokenConfig,
  token: string,
): Promise<RefreshOutcome> {
  const tokenHash = await hashRefreshToken(token);
  const now = new Date();
  const [claimed] = await db.update(refreshTokens)
    .set({ usedAt: now })
    .where(and(
      eq(refreshTokens.tokenHash, tokenHash),
      isNull(refreshTokens.usedAt),
      isNull(refreshTokens.revokedAt),
      gt(refreshTokens.expiresAt, now),
    ))
    .returning();
  if (!claimed) {
    const [seen] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).limit(
      1,
    );
    if (seen?.usedAt && !seen.revokedAt) {
      await revokeFamily(db, seen.familyId);
      return { ok: false, reused: { userId: seen.userId, familyId: seen.familyId } };
    }
    return { ok: false };
  }
  const [user] = await db.select({ role: users.role, deletedAt: users.deletedAt }).from(users)
    .where(eq(users.id, claimed.userId)).limit(1);
  if (!user || user.deletedAt) {
    await revokeFamily(db, claimed.familyId);
    return { ok: false };
  }
  const session = { userId: claimed.userId, familyId: claimed.familyId, mfa: claimed.mfa };
  const refresh = await storeRefreshToken(db, config, session);
  // The role is read afresh, so a role change takes effect at the next refresh.
  const access = await signAccessToken(config, { userId: claimed.userId, role: user.role, mfa: claimed.mfa });
  return {
    ok: true,
    userId: claimed.userId,
    pair: {
      accessToken: access.token,
      expiresIn: config.accessTtlSeconds,
      refreshToken: refresh.token,
      refreshExpiresAt: refresh.expiresAt,
    },
  };
}

/** Revokes every token of one session. */
export async function revokeFamily(db: Db, familyId: string): Promise<void> {
  await db.update(refreshTokens).set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

/** Revokes the session a refresh token belongs to; returns its user, or null for an unknown token. */
export async function revokeFamilyOf(db: Db, token: string): Promise<string | null> {
  const [row] = await db.select({ familyId: refreshTokens.familyId, userId: refreshTokens.userId })
    .from(refreshTokens).where(eq(refreshTokens.tokenHash, await hashRefreshToken(token))).limit(1);
  if (!row) return null;
  await revokeFamily(db, row.familyId);
  return row.userId;
}

/** Revokes every session of a user (password change). */
export async function revokeAllSessions(db: Db, userId: string): Promise<void> {
  await db.update(refreshTokens).set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
}

/**
 * Puts an access token's `jti` on the revocation list until the token would expire anyway. `retainMs` is how long
 * the revocation change log keeps entries (the longest access-token lifetime plus skew; `revocationRetainMs`).
 */
export async function revokeAccessToken(
  kv: KvStore,
  jti: string,
  exp: number,
  options: { retainMs: number },
): Promise<void> {
  if (exp * 1000 <= Date.now()) return;
  try {
    await recordTokenRevocation(kv, jti, { expMs: exp * 1000, retainMs: options.retainMs });
  } catch (err) {
    // Logout must not pretend to have worked: the caller sees 503 and can retry.
    throw new AppError(ErrorCode.UNAVAILABLE, "Could not revoke the access token; try again", { cause: err });
  }
}
