import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from "jose";
import { AppError, ErrorCode } from "../../shared/errors.ts";

/** Google's two spellings of its ID-token issuer. */
const GOOGLE_ISSUERS = ["accounts.google.com", "https://accounts.google.com"];

/** The facts taken from a verified Google ID token. */
export interface GoogleProfile {
  sub: string;
  email: string;
  name?: string;
}

const jwksByUrl = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * Verifies a Google ID token against Google's JWKS (URL configurable, cached by jose, refetched on an unknown kid):
 * RS256, issuer, audience = our client id, not expired, and a verified email.
 */
export async function verifyGoogleIdToken(
  idToken: string,
  config: { clientId: string; jwksUrl: string },
): Promise<GoogleProfile> {
  let jwks = jwksByUrl.get(config.jwksUrl);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5000 });
    jwksByUrl.set(config.jwksUrl, jwks);
  }
  let payload;
  try {
    ({ payload } = await jwtVerify(idToken, jwks, {
      algorithms: ["RS256"],
      issuer: GOOGLE_ISSUERS,
      audience: config.clientId,
      clockTolerance: 5,
    }));
  } catch (err) {
    if (
      err instanceof joseErrors.JWKSTimeout ||
      err instanceof joseErrors.JOSEError && err.code === "ERR_JWKS_INVALID"
    ) {
      throw new AppError(ErrorCode.BAD_GATEWAY, "Google's signing keys could not be fetched", { cause: err });
    }
    throw new AppError(ErrorCode.UNAUTHORIZED, "The Google ID token is not valid", { cause: err });
  }
  if (typeof payload.sub !== "string" || typeof payload.email !== "string") {
    throw new AppError(ErrorCode.UNAUTHORIZED, "The Google ID token has no subject or email");
  }
  if (payload.email_verified !== true && payload.email_verified !== "true") {
    throw new AppError(ErrorCode.UNAUTHORIZED, "The Google account's email is not verified");
  }
  return {
    sub: payload.sub,
    email: payload.email,
    name: typeof payload.name === "string" ? payload.name : undefined,
  };
}
