/**
 * Throttling of password sign-in, after OWASP's authentication guidance, for a campus where thousands of students
 * share one NAT address:
 *
 * - only FAILURES count (a wrong password or TOTP code), never attempts: a lecture hall signing in at once costs
 *   nothing;
 * - per account, a progressive slow-down instead of a lock: the first `freeFailures` cost nothing, then each further
 *   attempt must wait 1 s, 2 s, 4 s, … (at most `maxDelaySeconds`) after the previous failure. An attacker cannot
 *   lock a professor out: the professor waits at most `maxDelaySeconds` on a new device, and not at all on a device
 *   that signed in to that account before (a refresh token of the account, `recognisedDevice`);
 * - per client IP, a much higher limit of failures (`perIp` per window), so one address guessing many accounts is
 *   stopped without shutting out the campus behind it.
 *
 * A KV outage lets attempts through (logged): argon2's cost still slows guessing, and failing closed would lock
 * everyone out.
 */
import { clearSignInEmailLimit } from "../../shared/kv/sign_in_limits.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import type { KvStore } from "../../shared/kv/interface.ts";
import type { Logger } from "../../shared/logger.ts";

/** Throttle settings (see docs/identity.md for the defaults and why). */
export interface ThrottleLimits {
  /** Failures of one account before the slow-down starts. */
  freeFailures: number;
  /** Longest wait the slow-down imposes between attempts on one account. */
  maxDelaySeconds: number;
  /** Failures from one client IP within the window before that IP is refused. */
  perIp: number;
  /** How long failures are remembered: per account after the LAST failure, per IP after the first. */
  windowSeconds: number;
}

/** Who is trying to sign in. */
export interface SignInAttempt {
  email: string;
  ip: string;
  /** The request carried a refresh token issued to this account before: a device that signed in here before. */
  recognisedDevice?: boolean;
}

function keys(email: string, ip: string) {
  return { email: `auth:login-fail:email:${email}`, ip: `auth:login-fail:ip:${ip}` };
}

/** An account's failures: how many, and when the last one was (epoch ms). */
interface AccountFailures {
  n: number;
  last: number;
}

function parseFailures(value: string | null): AccountFailures {
  if (!value) return { n: 0, last: 0 };
  try {
    const parsed = JSON.parse(value) as AccountFailures;
    return Number.isFinite(parsed.n) && Number.isFinite(parsed.last) ? parsed : { n: 0, last: 0 };
  } catch {
    return { n: 0, last: 0 };
  }
}

/** Seconds an account with `failures` failures must wait after the last one (0 while still free). */
export function slowDownSeconds(limits: ThrottleLimits, failures: number): number {
  if (failures < limits.freeFailures) return 0;
  return Math.min(limits.maxDelaySeconds, 2 ** (failures - limits.freeFailures));
}

/**
 * Throws RATE_LIMITED with `Retry-After` when the client IP has too many failures, or the account's slow-down has
 * not yet elapsed. A recognised device is never slowed down or refused here.
 */
export async function assertLoginAllowed(
  kv: KvStore,
  logger: Logger,
  limits: ThrottleLimits,
  who: SignInAttempt,
  now = Date.now(),
): Promise<void> {
  if (who.recognisedDevice) return;
  const k = keys(who.email, who.ip);
  let counts: [string | null, string | null];
  try {
    counts = await Promise.all([kv.get(k.email), kv.get(k.ip)]);
  } catch (err) {
    logger.warn("login throttle unavailable; allowing the attempt", { err });
    return;
  }
  if (Number(counts[1] ?? 0) >= limits.perIp) {
    throw new AppError(
      ErrorCode.RATE_LIMITED,
      "Too many failed sign-in attempts from this address; try later",
      {
        headers: { "Retry-After": String(limits.windowSeconds) },
      },
    );
  }
  const account = parseFailures(counts[0]);
  const waitMs = account.last + slowDownSeconds(limits, account.n) * 1000 - now;
  if (waitMs > 0) {
    const seconds = Math.ceil(waitMs / 1000);
    throw new AppError(
      ErrorCode.RATE_LIMITED,
      `Too many failed sign-in attempts; try again in ${seconds} s`,
      {
        headers: { "Retry-After": String(seconds) },
      },
    );
  }
}

/** Counts one failed sign-in against the account (sliding: remembered a window after the last) and the IP. */
export async function recordLoginFailure(
  kv: KvStore,
  logger: Logger,
  limits: ThrottleLimits,
  who: SignInAttempt,
  now = Date.now(),
): Promise<void> {
  const k = keys(who.email, who.ip);
  const ttlMs = limits.windowSeconds * 1000;
  try {
    // Read-then-write: concurrent failures may be undercounted; the edge's per-email failure limit (an atomic
    // counter) bounds what that can gain.
    const account = parseFailures(await kv.get(k.email));
    await Promise.all([
      kv.set(k.email, JSON.stringify({ n: account.n + 1, last: now }), { ttlMs }),
      kv.incr(k.ip, { ttlMs }),
    ]);
  } catch (err) {
    logger.warn("could not count a failed login", { err });
  }
}

/**
 * Forgets an account's failures at an admin's request, so its owner may sign in at once: core's own count, and the
 * edge's per-email failure limit (its block and its count, through the keys both tiers share). Unlike
 * `clearLoginFailures` it throws UNAVAILABLE when the KV store cannot do it: the admin must not be told the account
 * is unlocked while it is not.
 */
export async function unlockAccount(kv: KvStore, email: string): Promise<{ failures: number }> {
  const key = keys(email, "").email;
  try {
    const failures = parseFailures(await kv.get(key)).n;
    await kv.del(key);
    await clearSignInEmailLimit(kv, email);
    return { failures };
  } catch (err) {
    throw new AppError(
      ErrorCode.UNAVAILABLE,
      "The account could not be unlocked right now; try again shortly",
      {
        headers: { "Retry-After": "5" },
        cause: err,
      },
    );
  }
}

/** Clears the account's failures after a successful sign-in (the IP's stay: it may be guessing other accounts). */
export async function clearLoginFailures(kv: KvStore, email: string): Promise<void> {
  try {
    await kv.del(keys(email, "").email);
  } catch {
    // The counter expires on its own.
  }
}
