/**
 * What the core's access tokens look like, shared by the core (which signs them) and the edge (which verifies them).
 * Access tokens are EdDSA (Ed25519) JWTs with a `kid`; claims `sub`, `role`, `jti`, `iat`, `exp`, `iss`, `aud`, and
 * `mfa` (whether this session passed TOTP), `iat_ms` (issue time in milliseconds, for per-user revocation).
 */
import { z } from "zod";
import { Role } from "./identity.ts";

/** Default `iss` of access tokens. */
export const ACCESS_TOKEN_ISSUER = "ai-teacher-core";
/** Default `aud` of access tokens. */
export const ACCESS_TOKEN_AUDIENCE = "ai-teacher-api";
/** The only signature algorithm access tokens use. */
export const ACCESS_TOKEN_ALG = "EdDSA";
/** Header `typ` of access tokens (RFC 9068), so no other JWT of ours can pass for one. */
export const ACCESS_TOKEN_TYP = "at+jwt";

/** KV key marking an access token's `jti` as revoked until the token expires. */
export function revokedJtiKey(jti: string): string {
  return `auth:revoked-jti:${jti}`;
}

/**
 * KV key holding, for one user, the epoch milliseconds before which every access token of that user is revoked
 * (written by core on role change, deactivation, password change; read by the edge on every call). It lives as long
 * as the longest access token issued before it, so it never needs cleaning up.
 */
export function userTokensRevokedBeforeKey(userId: string): string {
  return `auth:user-revoked-before:${userId}`;
}

/** When an access token was issued, in epoch milliseconds (`iat_ms`; tokens without it count from `iat`). */
export function tokenIssuedAtMs(claims: { iat: number; iat_ms?: number }): number {
  return claims.iat_ms ?? claims.iat * 1000;
}

/** The claims an access token must carry beyond the registered ones jose checks. */
export const AccessTokenClaims = z.object({
  sub: z.uuid(),
  role: Role,
  jti: z.string().min(1),
  exp: z.number().int(),
  iat: z.number().int(),
  /**
   * Issue time in milliseconds: `iat` has whole seconds, too coarse to tell a token issued just before a
   * revocation from the fresh one issued just after it (e.g. by a password change).
   */
  iat_ms: z.number().int().optional(),
  mfa: z.boolean(),
});
/** Parsed access-token claims. */
export type AccessTokenClaims = z.infer<typeof AccessTokenClaims>;
