import { eq } from "drizzle-orm";
import { users } from "../../shared/db/schema/users.ts";
import type { Context, MiddlewareHandler } from "hono";
import {
  ASSERTION_CLOCK_TOLERANCE_SECONDS,
  ASSERTION_HEADER,
  ASSERTION_REPLAYED_HEADER,
  AssertionError,
  bodyDigest,
  checkBinding,
  type VerifiedAssertion,
  verifyAssertionToken,
} from "../../shared/assertion.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import type { Identity, Role } from "../../shared/identity.ts";
import type { KvStore } from "../../shared/kv/interface.ts";
import { MemoryKv } from "../../shared/kv/memory.ts";
import { logContext } from "../../shared/logger.ts";
import type { ServiceEnv } from "../../shared/http/service_app.ts";
import type { CoreVariables } from "../services.ts";

type CoreEnvT = ServiceEnv<CoreVariables>;

const INVALID_TOKEN = { "WWW-Authenticate": 'Bearer error="invalid_token"' };

/** What a protected route allows beyond its roles. */
export interface CallerOptions {
  /** Let an admin who has not passed 2FA in (only the 2FA enrolment routes and reading one's own account). */
  allowWithoutMfa?: boolean;
  /** Let callers without an assertion through (as anonymous); a present but invalid assertion is still refused. */
  optional?: boolean;
}

function refuse(message: string): AppError {
  return new AppError(ErrorCode.UNAUTHORIZED, message, { headers: INVALID_TOKEN });
}

/** A second use of an assertion: refused, marked so the edge can tell a resent request from a bad token. */
function replayed(): AppError {
  return new AppError(ErrorCode.UNAUTHORIZED, "Edge assertion was already used", {
    headers: { ...INVALID_TOKEN, [ASSERTION_REPLAYED_HEADER]: "1" },
  });
}

type AccountRow = { role: Role; deletedAt: Date | null } | undefined;

/** The caller's account as the caller check needs it: one primary-key read on the primary. */
async function readAccount(c: Context<CoreEnvT>, userId: string): Promise<AccountRow> {
  const [account] = await c.get("services").database.db
    .select({ role: users.role, deletedAt: users.deletedAt })
    .from(users).where(eq(users.id, userId)).limit(1);
  return account;
}

/**
 * Account reads started by `verifyEdgeAssertion` beside the replay check, for `requireCaller` to use. A request
 * carries an identity only to a route that is not public (the edge verifies no token for public routes, and its
 * policy table is generated from core's own route contracts), so every read started is used.
 */
const accountReads = new WeakMap<Request, Promise<AccountRow>>();

/**
 * Core does not take the role in the token on trust: the account must still exist, be active and hold that role
 * (one primary-key read on the primary, so a replica's lag cannot bring a demoted role back). A token minted before a
 * role change or deactivation gets 401 `invalid_token`, so the client refreshes (and gets the current role) or signs
 * in again. The edge refuses such tokens first (per-user revocation time in the KV); this holds even when it cannot.
 */
async function assertAccountCurrent(c: Context<CoreEnvT>, caller: Identity): Promise<void> {
  const account = await (accountReads.get(c.req.raw) ?? readAccount(c, caller.userId));
  if (!account || account.deletedAt) {
    throw new AppError(ErrorCode.UNAUTHORIZED, "This account is no longer active", {
      headers: INVALID_TOKEN,
    });
  }
  if (account.role !== caller.role) {
    throw new AppError(ErrorCode.UNAUTHORIZED, "Your role has changed; sign in again", {
      headers: INVALID_TOKEN,
    });
  }
}

/**
 * Marks an assertion used. Assertion ids are kept in the shared KV until the assertion could no longer verify, so a
 * captured one is refused on its second use at any core process. When the KV is down, an admin's assertion is
 * refused (503, as revocation checks fail closed for admins) and any other falls back to this process's own
 * seen-set: replays to the same process are still refused, replays to another process are possible for the
 * assertion's remaining lifetime (at most 35 s).
 */
async function useOnce(
  kv: KvStore,
  fallback: KvStore,
  assertion: VerifiedAssertion,
  onFallback: (err: unknown) => void,
): Promise<{ fellBack: boolean }> {
  const key = `edge-assertion:seen:${assertion.id}`;
  const ttlMs = (assertion.exp + ASSERTION_CLOCK_TOLERANCE_SECONDS + 1) * 1000 - Date.now();
  let uses: number;
  try {
    uses = await kv.incr(key, { ttlMs: Math.max(ttlMs, 1000) });
    if (uses > 1) throw replayed();
    return { fellBack: false };
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (assertion.identity?.role === "ADMIN") {
      throw new AppError(ErrorCode.UNAVAILABLE, "Replay protection is unavailable; try again shortly", {
        headers: { "Retry-After": "5" },
        cause: err,
      });
    }
    onFallback(err);
    uses = await fallback.incr(key, { ttlMs: Math.max(ttlMs, 1000) });
  }
  if (uses > 1) throw replayed();
  return { fellBack: true };
}

/** The TCP peer's address when the server passed it (`{ remoteAddr }` as the app's env), else "unknown". */
function peerAddressOf(c: Context): string {
  // deno-lint-ignore no-explicit-any
  const info = (c.env as any)?.remoteAddr as Deno.NetAddr | undefined;
  return info?.hostname ?? "unknown";
}

/**
 * Verifies the edge's assertion on every request that carries one, before any route runs: signature and age, then
 * that it was made for this method, path and query string, then the body's SHA-256, then that it was not used
 * before. Sets `clientIp` (the address the edge saw; without an assertion, the TCP peer's address: a direct caller
 * cannot choose it with `X-Forwarded-For`) and, for a signed-in caller, `caller`. A present but invalid assertion
 * is refused on every route.
 */
export function verifyEdgeAssertion(): MiddlewareHandler<CoreEnvT> {
  const fallback = new MemoryKv();
  let warned = false;
  return async (c, next) => {
    const token = c.req.header(ASSERTION_HEADER);
    if (!token) {
      c.set("clientIp", peerAddressOf(c));
      return await next();
    }
    const services = c.get("services");
    const secret = services.env.EDGE_ASSERTION_SECRET;
    if (!secret) throw refuse("This route needs a verified caller");
    let assertion: VerifiedAssertion;
    try {
      const { bound, ...verified } = await verifyAssertionToken(secret, token);
      const url = new URL(c.req.url);
      checkBinding(bound, { method: c.req.method, path: c.req.path, query: url.search });
      // Only now, with the signature and the target checked, is the body read (and kept for the handler).
      const body = c.req.method === "GET" || c.req.method === "HEAD" ? undefined : await c.req.arrayBuffer();
      if (bound.bodySha256 !== await bodyDigest(body)) {
        throw new AssertionError("Edge assertion was made for another request body");
      }
      assertion = verified;
    } catch (err) {
      if (err instanceof AssertionError) throw refuse(err.message);
      throw err;
    }
    // The caller check's account read does not depend on the replay check, so it is started now and runs while the
    // KV answers: a signed-in request waits for the slower of the two round trips, not their sum. Nothing is decided
    // on it before the replay check has passed (a replayed assertion is refused and its read left unused).
    if (assertion.identity) {
      const read = readAccount(c, assertion.identity.userId);
      read.catch(() => {}); // awaited by requireCaller; unawaited when the replay check refuses first
      accountReads.set(c.req.raw, read);
    }
    const { fellBack } = await useOnce(services.kv, fallback, assertion, (err) => {
      // Once per outage, not once per request.
      if (!warned) services.logger.warn("assertion replay check fell back to this process", { err });
    });
    warned = fellBack;
    c.set("clientIp", assertion.clientIp);
    if (assertion.identity) c.set("caller", assertion.identity);
    await next();
  };
}

/**
 * Protects core routes: the caller must come through the edge with a valid assertion (checked by
 * `verifyEdgeAssertion`) that carries a signed-in identity. With `roles`, the caller's role must be one of them
 * (403 otherwise). An admin whose session has not passed 2FA (`mfa: false`) is refused unless the route says
 * otherwise.
 */
export function requireCaller(roles?: Role[], options: CallerOptions = {}): MiddlewareHandler<CoreEnvT> {
  return async (c, next) => {
    const caller = c.get("caller");
    if (!caller) {
      if (options.optional) return await next();
      throw refuse("This route needs a verified caller");
    }
    await assertAccountCurrent(c, caller);
    if (roles && !roles.includes(caller.role)) {
      throw new AppError(ErrorCode.FORBIDDEN, "Your role may not do this");
    }
    // `mfa` absent means an assertion made without an access token (tools, tests): only an explicit false refuses.
    if (caller.role === "ADMIN" && caller.mfa === false && !options.allowWithoutMfa) {
      throw new AppError(ErrorCode.FORBIDDEN, "Admins must enable two-factor authentication first");
    }
    const ctx = logContext.getStore();
    if (ctx) ctx.userId = caller.userId;
    await next();
  };
}

/** The verified caller of a route behind `requireCaller`. */
export function callerOf(c: { get(key: "caller"): Identity | undefined }): Identity {
  const caller = c.get("caller");
  if (!caller) throw new AppError(ErrorCode.UNAUTHORIZED, "This route needs a verified caller");
  return caller;
}
