/**
 * The edge-to-core assertion. The edge signs a short-lived HS256 JWT with a secret it shares with core for every
 * request it forwards: bound to the method, path, query string and a SHA-256 digest of the body, carrying the
 * client's address as the edge established it and, for a signed-in caller, the identity from the verified access
 * token. Each assertion has its own id and core accepts it once. Core takes identity and client address from
 * nothing else: bare identity headers and `X-Forwarded-For` never count.
 */
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { Identity } from "./identity.ts";
import { base64url, fromBase64url, sha256Base64urlSync } from "./crypto.ts";

/** Header carrying the assertion from edge to core. */
export const ASSERTION_HEADER = "x-edge-assertion";
/**
 * Set by core on its refusal of an assertion that was already used. Through the edge that means the transport
 * delivered one request twice (Deno's fetch resends a request a reused connection lost unanswered, e.g. to a replica
 * killed mid-request), so the edge answers its client 502, as for any request lost with a replica, not 401.
 */
export const ASSERTION_REPLAYED_HEADER = "x-edge-assertion-replayed";
/** Lifetime of an assertion in seconds. */
export const ASSERTION_TTL_SECONDS = 30;
/** Clock skew allowed between edge and core, in seconds. */
export const ASSERTION_CLOCK_TOLERANCE_SECONDS = 5;

const ISSUER = "ai-teacher-edge";
const AUDIENCE = "ai-teacher-core";

/**
 * Base64url SHA-256 of a request body (an absent body hashes as empty), as the assertion's `bsh` claim. Hashed on
 * the calling thread: Web Crypto's digest hands every call to a worker thread and back, which on a busy machine
 * put milliseconds on the edge hop's tail for a hash of a few bytes.
 */
export function bodyDigest(body?: ArrayBuffer | Uint8Array | null): Promise<string> {
  return Promise.resolve(sha256Base64urlSync(body ? new Uint8Array(body) : new Uint8Array()));
}

/** What one assertion is bound to: the request as core will receive it. */
export interface AssertedRequest {
  method: string;
  path: string;
  /** The query string as sent, with its `?` (empty when there is none). */
  query: string;
  /** `bodyDigest()` of the body as sent. */
  bodySha256: string;
}

/** The protected header of every assertion, encoded once. */
const ASSERTION_HEADER_B64 = base64url(JSON.stringify({ alg: "HS256", typ: "edge-assertion+jwt" }));

/**
 * Signs an assertion for one forwarded request; `identity` is absent for anonymous callers. A compact HS256 JWS
 * (RFC 7515) made on the calling thread with node:crypto's HMAC: the edge signs one per forwarded request, and
 * Web Crypto's key import and sign each took a worker-thread round trip (the edge hop's p99 grew by milliseconds
 * on a loaded machine). jose verifies these tokens as well (tested).
 */
export function signAssertion(
  secret: string,
  request: AssertedRequest & { identity?: Identity; clientIp: string; requestId?: string },
  now = Math.floor(Date.now() / 1000),
): Promise<string> {
  const { identity } = request;
  const claims = {
    ...(identity ? { role: identity.role } : {}),
    ...(identity?.jti ? { tjti: identity.jti } : {}),
    ...(identity?.exp ? { texp: identity.exp } : {}),
    ...(identity?.mfa !== undefined ? { mfa: identity.mfa } : {}),
    htm: request.method.toUpperCase(),
    htu: request.path,
    htq: request.query,
    bsh: request.bodySha256,
    cip: request.clientIp,
    ...(request.requestId ? { rid: request.requestId } : {}),
    jti: crypto.randomUUID(),
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + ASSERTION_TTL_SECONDS,
    ...(identity ? { sub: identity.userId } : {}),
  };
  const input = `${ASSERTION_HEADER_B64}.${base64url(JSON.stringify(claims))}`;
  return Promise.resolve(`${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`);
}

/** Why an assertion was refused. */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

/** A verified assertion: who calls (if signed in), from where, and the id and expiry its single use is kept by. */
export interface VerifiedAssertion {
  identity?: Identity;
  clientIp: string;
  id: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function rejected(reason: string): AssertionError {
  return new AssertionError(`Edge assertion rejected: ${reason}`);
}

function decodeJson(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(fromBase64url(part)));
  } catch {
    throw rejected("a part is not base64url JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw rejected("a part is not an object");
  }
  return value as Record<string, unknown>;
}

/**
 * The claims of an assertion whose HS256 signature, issuer, audience, age and expiry hold (RFC 7519, checked as jose
 * checks them, with the same clock tolerance), on the calling thread: core verifies one per request, and Web
 * Crypto's verify took a worker-thread round trip each time.
 */
function verifiedClaims(secret: string, token: string, now?: Date): Record<string, unknown> {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) throw rejected("not a compact JWS");
  const [encodedHeader, encodedPayload, signature] = parts;
  const header = decodeJson(encodedHeader);
  if (header.alg !== "HS256") throw rejected(`alg ${String(header.alg)} is not allowed`);
  if (header.crit !== undefined) throw rejected("critical header parameters are not supported");
  const expected = Buffer.from(
    createHmac("sha256", secret).update(`${encodedHeader}.${encodedPayload}`).digest("base64url"),
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw rejected("signature verification failed");
  }
  const payload = decodeJson(encodedPayload);
  const t = Math.floor((now?.getTime() ?? Date.now()) / 1000);
  const tolerance = ASSERTION_CLOCK_TOLERANCE_SECONDS;
  if (payload.iss !== ISSUER) throw rejected('unexpected "iss" claim value');
  const aud = payload.aud;
  if (aud !== AUDIENCE && !(Array.isArray(aud) && aud.includes(AUDIENCE))) {
    throw rejected('unexpected "aud" claim value');
  }
  if (typeof payload.jti !== "string") throw rejected('missing required "jti" claim');
  const { exp, iat, nbf } = payload;
  if (typeof exp !== "number") throw rejected('missing required "exp" claim');
  if (typeof iat !== "number") throw rejected('missing required "iat" claim');
  if (nbf !== undefined && (typeof nbf !== "number" || nbf > t + tolerance)) {
    throw rejected('"nbf" claim check failed');
  }
  if (exp <= t - tolerance) throw rejected('"exp" claim timestamp check failed');
  const age = t - iat;
  if (age < -tolerance) throw rejected('"iat" claim timestamp check failed (it should be in the past)');
  if (age - tolerance > ASSERTION_TTL_SECONDS) throw rejected('"iat" claim timestamp check failed (too old)');
  return payload;
}

/** Checks an assertion's signature, issuer, audience and age; binding to a request is `checkBinding`'s job. */
export function verifyAssertionToken(
  secret: string,
  token: string,
  now?: Date,
): Promise<VerifiedAssertion & { bound: AssertedRequest }> {
  try {
    return Promise.resolve(boundAssertion(verifiedClaims(secret, token, now)));
  } catch (err) {
    return Promise.reject(err);
  }
}

function boundAssertion(payload: Record<string, unknown>): VerifiedAssertion & { bound: AssertedRequest } {
  const strings = [payload.htm, payload.htu, payload.htq, payload.bsh, payload.cip];
  if (strings.some((s) => typeof s !== "string")) {
    throw new AssertionError("Edge assertion is not bound to a request");
  }
  let identity: Identity | undefined;
  if (payload.sub !== undefined) {
    const parsed = Identity.safeParse({
      userId: payload.sub,
      role: payload.role,
      jti: payload.tjti,
      exp: payload.texp,
      mfa: payload.mfa,
    });
    if (!parsed.success) throw new AssertionError("Edge assertion carries no valid identity");
    identity = parsed.data;
  }
  return {
    identity,
    clientIp: payload.cip as string,
    id: payload.jti as string,
    exp: payload.exp as number,
    bound: {
      method: payload.htm as string,
      path: payload.htu as string,
      query: payload.htq as string,
      bodySha256: payload.bsh as string,
    },
  };
}

/** Throws `AssertionError` unless the assertion was made for this method, path and query (the body is checked apart). */
export function checkBinding(bound: AssertedRequest, request: Omit<AssertedRequest, "bodySha256">): void {
  if (
    bound.method !== request.method.toUpperCase() || bound.path !== request.path ||
    bound.query !== request.query
  ) {
    throw new AssertionError("Edge assertion was made for another request");
  }
}

/**
 * Verifies an assertion against the whole request it arrived with (signature, age, method, path, query and body
 * digest); returns what it asserts or throws `AssertionError`. Single use is the caller's to enforce, by `id`.
 */
export async function verifyAssertion(
  secret: string,
  token: string,
  request: AssertedRequest,
  now?: Date,
): Promise<VerifiedAssertion> {
  const { bound, ...verified } = await verifyAssertionToken(secret, token, now);
  checkBinding(bound, request);
  if (bound.bodySha256 !== request.bodySha256) {
    throw new AssertionError("Edge assertion was made for another request body");
  }
  return verified;
}
