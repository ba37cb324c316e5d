/**
 * Access-token revocations in the KV store. Core writes them (logout revokes one token id; a role change,
 * deactivation or password change revokes every token a user was issued before a time); the edge must refuse
 * such tokens on every call. Each revocation is written twice (docs/kv.md, "Revocations"):
 *
 * - as a plain key (`auth:revoked-jti:<jti>`, `auth:user-revoked-before:<userId>`), which an in-process store
 *   reads directly and edges of older deployments still read on every call;
 * - as a member of the change log `auth:revocations`, a sorted set scored by the writer's clock, trimmed after the
 *   longest access-token lifetime: what each edge process copies into its own memory (`RevocationMirror`), so
 *   checking a token costs no KV call.
 */
import { revokedJtiKey, userTokensRevokedBeforeKey } from "../access_token.ts";
import { AppError, ErrorCode } from "../errors.ts";
import type { KvStore } from "./interface.ts";

/** KV key of the revocation change log (sorted set, score = epoch ms the revocation was written). */
export const REVOCATION_LOG_KEY = "auth:revocations";

/** One revocation, as the change log holds it; `untilMs` is when it stops mattering (every token it refuses expired). */
export type Revocation =
  | { kind: "jti"; jti: string; untilMs: number }
  | { kind: "user"; userId: string; beforeMs: number; untilMs: number };

/** A log member: numbers first, the id last, so an id may hold any character. */
export function revocationMember(r: Revocation): string {
  return r.kind === "jti" ? `j:${r.untilMs}:${r.jti}` : `u:${r.beforeMs}:${r.untilMs}:${r.userId}`;
}

/** Parses a log member; null for one this version does not know (a newer writer's), which is skipped. */
export function parseRevocationMember(member: string): Revocation | null {
  const jti = /^j:(\d+):(.+)$/s.exec(member);
  if (jti) return { kind: "jti", jti: jti[2], untilMs: Number(jti[1]) };
  const user = /^u:(\d+):(\d+):(.+)$/s.exec(member);
  if (user) return { kind: "user", userId: user[3], beforeMs: Number(user[1]), untilMs: Number(user[2]) };
  return null;
}

/** How long the log keeps an entry: set by core from its access-token lifetime. */
export interface RevocationWriteOptions {
  /** The longest access-token lifetime plus clock skew: entries older than this are trimmed from the log. */
  retainMs: number;
  now?: number;
}

async function record(kv: KvStore, revocation: Revocation, options: RevocationWriteOptions, plain: {
  key: string;
  value: string;
  ttlMs: number;
}): Promise<void> {
  const now = options.now ?? Date.now();
  // Both at once (the Upstash client pipelines them); either failing fails the revocation, which the caller must
  // not report as done.
  await Promise.all([
    kv.set(plain.key, plain.value, { ttlMs: plain.ttlMs }),
    kv.zadd(REVOCATION_LOG_KEY, now, revocationMember(revocation), {
      removeBelow: now - options.retainMs,
      ttlMs: options.retainMs,
    }),
  ]);
}

/** Revokes one access token (by `jti`) until it expires (`expMs`, epoch ms) plus 5 s of clock skew. */
export async function recordTokenRevocation(
  kv: KvStore,
  jti: string,
  options: RevocationWriteOptions & { expMs: number },
): Promise<void> {
  const now = options.now ?? Date.now();
  const untilMs = options.expMs + 5_000;
  if (untilMs <= now) return;
  await record(kv, { kind: "jti", jti, untilMs }, { ...options, now }, {
    key: revokedJtiKey(jti),
    value: "1",
    ttlMs: untilMs - now,
  });
}

/**
 * Revokes every access token of `userId` issued before `beforeMs`, for `retainMs` (the longest lifetime of a
 * token issued before it, plus skew).
 */
export async function recordUserRevocation(
  kv: KvStore,
  userId: string,
  options: RevocationWriteOptions & { beforeMs: number },
): Promise<void> {
  const now = options.now ?? Date.now();
  await record(kv, { kind: "user", userId, beforeMs: options.beforeMs, untilMs: now + options.retainMs }, {
    ...options,
    now,
  }, { key: userTokensRevokedBeforeKey(userId), value: String(options.beforeMs), ttlMs: options.retainMs });
}

/** What a revocation check needs of a verified token. */
export interface RevocableToken {
  jti: string;
  userId: string;
  /** Issue time in epoch milliseconds (`iat_ms`, else `iat` × 1000). */
  issuedAtMs: number;
}

/**
 * Answers whether a verified token is revoked. Fails closed: when it cannot tell (the KV store unreachable, or the
 * mirror older than its bound) it throws `AppError(UNAVAILABLE)` with `Retry-After`, never "not revoked".
 */
export interface RevocationCheck {
  isRevoked(token: RevocableToken): Promise<boolean>;
}

/** The 503 a revocation check throws when it cannot tell. */
export function revocationsUnavailable(cause?: unknown): AppError {
  return new AppError(ErrorCode.UNAVAILABLE, "Token revocations could not be checked", {
    headers: { "Retry-After": "5" },
    cause,
  });
}

/**
 * Reads the plain keys on every check: for the in-process store, where a read costs no round trip and a
 * revocation written by core in the same process takes effect at once. Remote stores use `RevocationMirror`.
 */
export class KvRevocationCheck implements RevocationCheck {
  #kv: KvStore;
  constructor(kv: KvStore) {
    this.#kv = kv;
  }

  async isRevoked(token: RevocableToken): Promise<boolean> {
    let revoked: string | null;
    let revokedBefore: string | null;
    try {
      [revoked, revokedBefore] = await Promise.all([
        this.#kv.get(revokedJtiKey(token.jti)),
        this.#kv.get(userTokensRevokedBeforeKey(token.userId)),
      ]);
    } catch (err) {
      throw revocationsUnavailable(err);
    }
    return revoked !== null || (revokedBefore !== null && token.issuedAtMs < Number(revokedBefore));
  }
}
