/**
 * The edge-to-core assertion. The edge signs a short-lived HS256 JWT with a secret it shares with core for every
 * request it forwards: bound to the method, path, query string and a SHA-256 digest of the body, carrying the
 * client's address as the edge established it and, for a signed-in caller, the identity from the verified access
 * token. Each assertion has its own id and core accepts it once. Core takes identity and client address from
 * nothing else: bare identity headers and `X-Forwarded-For` never count.
 */
import { Buffer } from "node:buffer";
import { createHash, createHmac } from "node:crypto";
import { jwtVerify } from "jose";
import { Identity } from "./identity.ts";

/** Header carrying the assertion from edge to core. */
export const ASSERTION_HEADER = "x-edge-assertion";
/** Lifetime of an assertion in seconds. */
export const ASSERTION_TTL_SECONDS = 30;
/** Clock skew allowed between edge and core, in seconds. */
export const ASSERTION_CLOCK_TOLERANCE_SECONDS = 5;

const ISSUER = "ai-teacher-edge";
const AUDIENCE = "ai-teacher-core";

const keys = new Map<string, Promise<CryptoKey>>();

/** The HMAC key of a secret, imported once (an import per verification cost a worker-thread round trip). */
function keyOf(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 8) keys.clear();
    key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      [
        "verify",
      ],
    );
    keys.set(secret, key);
  }
  return key;
}

/**
 * Base64url SHA-256 of a request body (an absent body hashes as empty), as the assertion's `bsh` claim. Hashed on
 * the calling thread: Web Crypto's digest hands every call to a worker thread and back, which on a busy machine
 * put milliseconds on the edge hop's tail for a hash of a few bytes.
 */
export function bodyDigest(body?: ArrayBuffer | Uint8Array | null): Promise<string> {
  const bytes = body ? new Uint8Array(body) : new Uint8Array();
  return Promise.resolve(createHash("sha256").update(bytes).digest("base64url"));
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

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

/**
 * Signs an assertion for one forwarded request; `identity` is absent for anonymous callers. A compact HS256 JWS
 * (RFC 7515) made on the calling thread with node:crypto's HMAC: the edge signs one per forwarded request, and
 * Web Crypto's key import and sign each took a worker-thread round trip (the edge hop's p99 grew by milliseconds
 * on a loaded machine). Verification stays with jose, so what core accepts is decided by a standard verifier.
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

/** Checks an assertion's signature, issuer, audience and age; binding to a request is `checkBinding`'s job. */
export async function verifyAssertionToken(
  secret: string,
  token: string,
  now?: Date,
): Promise<VerifiedAssertion & { bound: AssertedRequest }> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, await keyOf(secret), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: AUDIENCE,
      maxTokenAge: ASSERTION_TTL_SECONDS,
      clockTolerance: ASSERTION_CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["jti", "exp"],
      currentDate: now,
    }));
  } catch (err) {
    throw new AssertionError(`Edge assertion rejected: ${err instanceof Error ? err.message : String(err)}`);
  }
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
    id: payload.jti!,
    exp: payload.exp!,
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
