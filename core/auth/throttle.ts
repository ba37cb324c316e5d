import { AppError, ErrorCode } from "../../shared/errors.ts";
import type { KvStore } from "../../shared/kv/interface.ts";
import type { Logger } from "../../shared/logger.ts";

/** Limits on failed logins, per email and per client IP, within one window. */
export interface ThrottleLimits {
  perEmail: number;
  perIp: number;
  windowSeconds: number;
}

function keys(email: string, ip: string) {
  return { email: `auth:login-fail:email:${email}`, ip: `auth:login-fail:ip:${ip}` };
}

/** Throws RATE_LIMITED (with Retry-After) when either counter is at its limit. A KV outage fails open, logged. */
export async function assertLoginAllowed(
  kv: KvStore,
  logger: Logger,
  limits: ThrottleLimits,
  who: { email: string; ip: string },
): Promise<void> {
  const k = keys(who.email, who.ip);
  let counts: [string | null, string | null];
  try {
    counts = await Promise.all([kv.get(k.email), kv.get(k.ip)]);
  } catch (err) {
    // Failing closed would let a KV outage lock everyone out; argon2's cost still slows guessing.
    logger.warn("login throttle unavailable; allowing the attempt", { err });
    return;
  }
  if (Number(counts[0] ?? 0) >= limits.perEmail || Number(counts[1] ?? 0) >= limits.perIp) {
    throw new AppError(ErrorCode.RATE_LIMITED, "Too many failed sign-in attempts; try again later", {
      headers: { "Retry-After": String(limits.windowSeconds) },
    });
  }
}

/** Counts one failed login against the email and the IP. */
export async function recordLoginFailure(
  kv: KvStore,
  logger: Logger,
  limits: ThrottleLimits,
  who: { email: string; ip: string },
): Promise<void> {
  const k = keys(who.email, who.ip);
  const ttlMs = limits.windowSeconds * 1000;
  try {
    await Promise.all([kv.incr(k.email, { ttlMs }), kv.incr(k.ip, { ttlMs })]);
  } catch (err) {
    logger.warn("could not count a failed login", { err });
  }
}

/** Clears the email's counter after a successful login (the IP's stays: it may be guessing other accounts). */
export async function clearLoginFailures(kv: KvStore, email: string): Promise<void> {
  try {
    await kv.del(keys(email, "").email);
  } catch {
    // The counter expires on its own.
  }
}
