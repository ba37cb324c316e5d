/**
 * The edge-to-core identity assertion. The edge, having verified the caller's access token, signs a short-lived
 * HS256 JWT with a secret it shares with core, bound to the request's method and path and valid for 30 seconds.
 * Core accepts identity from nothing else: bare identity headers never get in.
 */
import { jwtVerify, SignJWT } from "jose";
import { Identity } from "./identity.ts";

/** Header carrying the assertion from edge to core. */
export const ASSERTION_HEADER = "x-edge-assertion";
/** Lifetime of an assertion in seconds. */
export const ASSERTION_TTL_SECONDS = 30;

const ISSUER = "ai-teacher-edge";
const AUDIENCE = "ai-teacher-core";

function keyOf(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Signs an assertion for one forwarded request. */
export function signAssertion(
  secret: string,
  request: { identity: Identity; method: string; path: string; requestId?: string },
  now = Math.floor(Date.now() / 1000),
): Promise<string> {
  const { identity } = request;
  return new SignJWT({
    role: identity.role,
    ...(identity.jti ? { tjti: identity.jti } : {}),
    ...(identity.exp ? { texp: identity.exp } : {}),
    ...(identity.mfa !== undefined ? { mfa: identity.mfa } : {}),
    htm: request.method.toUpperCase(),
    htu: request.path,
    ...(request.requestId ? { rid: request.requestId } : {}),
  })
    .setProtectedHeader({ alg: "HS256", typ: "edge-assertion+jwt" })
    .setSubject(identity.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ASSERTION_TTL_SECONDS)
    .sign(keyOf(secret));
}

/** Why an assertion was refused. */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

/** Verifies an assertion against the request it arrived with; returns the caller or throws `AssertionError`. */
export async function verifyAssertion(
  secret: string,
  token: string,
  request: { method: string; path: string },
  now?: Date,
): Promise<Identity> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, keyOf(secret), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: AUDIENCE,
      maxTokenAge: ASSERTION_TTL_SECONDS,
      clockTolerance: 5,
      currentDate: now,
    }));
  } catch (err) {
    throw new AssertionError(`Edge assertion rejected: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (payload.htm !== request.method.toUpperCase() || payload.htu !== request.path) {
    throw new AssertionError("Edge assertion was made for another request");
  }
  const parsed = Identity.safeParse({
    userId: payload.sub,
    role: payload.role,
    jti: payload.tjti,
    exp: payload.texp,
    mfa: payload.mfa,
  });
  if (!parsed.success) throw new AssertionError("Edge assertion carries no valid identity");
  return parsed.data;
}
