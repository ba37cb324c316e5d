/**
 * The access token the edge benchmarks send: signed like the core's (EdDSA, `typ` at+jwt, the default issuer and
 * audience, a fresh `sub` and `jti`), with the key id the benchmarks' stand-in cores publish their key under.
 */
import { SignJWT } from "jose";
import {
  ACCESS_TOKEN_ALG,
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  ACCESS_TOKEN_TYP,
  type AccessTokenClaims,
} from "../../shared/access_token.ts";

/** The `kid` of the benchmarks' signing key, in the tokens and in the stand-in core's JWKS. */
export const BENCH_KID = "bench";

/** Signs a one-hour access token for a new user id with the given role and MFA claims. */
export function signBenchToken(
  privateKey: CryptoKey,
  claims: Pick<AccessTokenClaims, "role" | "mfa" | "iat_ms">,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: BENCH_KID, typ: ACCESS_TOKEN_TYP })
    .setSubject(crypto.randomUUID())
    .setJti(crypto.randomUUID())
    .setIssuer(ACCESS_TOKEN_ISSUER)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
}
