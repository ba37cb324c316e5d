/**
 * Access-token verification at the edge, with the core's public keys only (the edge holds no signing key). Keys come
 * from core's JWKS through the injectable fetch, are cached, and are refetched when a token names an unknown kid
 * (at most once per cooldown, so junk kids cannot make the edge hammer core).
 */
import { createRemoteJWKSet, customFetch, type JWTHeaderParameters, jwtVerify } from "jose";
import {
  ACCESS_TOKEN_ALG,
  ACCESS_TOKEN_TYP,
  AccessTokenClaims,
  tokenIssuedAtMs,
} from "../../shared/access_token.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import type { Identity } from "../../shared/identity.ts";
import type { RevocationCheck } from "../../shared/kv/revocation.ts";

/** Why a token was refused (the message goes to the client; it names no secret). */
export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidTokenError";
  }
}

/** What verification needs. */
export interface VerifierOptions {
  jwksUrl: string;
  fetch: typeof fetch;
  issuer: string;
  audience: string;
  /** Revoked tokens and users: the edge's mirror of the change log (or the KV itself when it is in-process). */
  revocations: RevocationCheck;
  cacheSeconds: number;
  /** Shortest time between two JWKS fetches caused by unknown kids. */
  cooldownSeconds?: number;
}

/** Verifies a bearer token and returns the caller; throws `InvalidTokenError` (401) or AppError (503). */
export type AccessTokenVerifier = ((token: string) => Promise<Identity>) & {
  /**
   * The same answer for a token whose signature was already verified and that has not expired (expiry and the
   * revocation list are checked as on every call); undefined when the token would need a signature check.
   */
  cached?: (token: string) => Promise<Identity> | undefined;
};

/** Builds a verifier with its own JWKS cache. */
export function createAccessTokenVerifier(options: VerifierOptions): AccessTokenVerifier {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
    cacheMaxAge: options.cacheSeconds * 1000,
    cooldownDuration: (options.cooldownSeconds ?? 10) * 1000,
    timeoutDuration: 5000,
    [customFetch]: (url, init) => options.fetch(url, init),
  });
  const keyFor = (header: JWTHeaderParameters, token: Parameters<typeof jwks>[1]) => {
    if (!header.kid) throw new InvalidTokenError("The token has no key id");
    return jwks(header, token);
  };
  // Verified tokens, so a client's repeated calls skip the signature check (about 0.2 ms of CPU each, most of a
  // cached answer's cost). Expiry and revocations are still checked on every call; the map is bounded.
  const verified = new Map<string, AccessTokenClaims>();
  const MAX_VERIFIED = 10_000;
  /** A verified, unexpired token's claims; an expired one is forgotten. */
  const knownClaims = (token: string) => {
    const known = verified.get(token);
    if (known && known.exp > Date.now() / 1000) return known;
    if (known) verified.delete(token);
    return undefined;
  };
  const verify = async (token: string) => {
    const known = knownClaims(token);
    if (known) return await notRevoked(known);
    let payload;
    try {
      ({ payload } = await jwtVerify(token, keyFor, {
        algorithms: [ACCESS_TOKEN_ALG],
        typ: ACCESS_TOKEN_TYP,
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ["sub", "jti", "exp", "iat"],
        clockTolerance: 5,
      }));
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      const code = (err as { code?: string }).code;
      // Trouble reaching core's keys is core's outage, not the client's bad token.
      if (
        !code || code === "ERR_JWKS_TIMEOUT" || code === "ERR_JWKS_INVALID" || code === "ERR_JOSE_GENERIC"
      ) {
        throw new AppError(ErrorCode.UNAVAILABLE, "Token keys could not be fetched from core", {
          cause: err,
        });
      }
      throw new InvalidTokenError(`The access token is not valid (${code})`);
    }
    const claims = AccessTokenClaims.safeParse(payload);
    if (!claims.success) throw new InvalidTokenError("The access token's claims are not valid");
    const identity = await notRevoked(claims.data);
    if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value!);
    verified.set(token, claims.data);
    return identity;
  };
  return Object.assign(verify, {
    cached: (token: string) => {
      const known = knownClaims(token);
      return known ? notRevoked(known) : undefined;
    },
  });

  async function notRevoked(claims: AccessTokenClaims) {
    // Fails closed: throws AppError(UNAVAILABLE) with Retry-After when revocations cannot be vouched for. Every
    // token of a user issued before a role change, deactivation or password change counts as revoked.
    const revoked = await options.revocations.isRevoked({
      jti: claims.jti,
      userId: claims.sub,
      issuedAtMs: tokenIssuedAtMs(claims),
    });
    if (revoked) throw new InvalidTokenError("The access token has been revoked");
    const { sub, role, jti, exp, mfa } = claims;
    return { userId: sub, role, jti, exp, mfa };
  }
}
