/**
 * What the core's access tokens look like, shared by the core (which signs them) and the edge (which verifies them).
 * Access tokens are EdDSA (Ed25519) JWTs with a `kid`; claims `sub`, `role`, `jti`, `iat`, `exp`, `iss`, `aud`, and
 * `mfa` (whether this session passed TOTP).
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

/** The claims an access token must carry beyond the registered ones jose checks. */
export const AccessTokenClaims = z.object({
  sub: z.uuid(),
  role: Role,
  jti: z.string().min(1),
  exp: z.number().int(),
  iat: z.number().int(),
  mfa: z.boolean(),
});
/** Parsed access-token claims. */
export type AccessTokenClaims = z.infer<typeof AccessTokenClaims>;
