/**
 * Limits on requests that make the platform send mail, so nobody can flood an inbox through password reset,
 * verification or invitations: per recipient address and per client IP (or inviting user), in a fixed window, in
 * the KV store shared by core processes. The edge has its own per-IP `mail` class in front of this.
 */
import { AppError, ErrorCode } from "../../shared/errors.ts";
import type { KvStore } from "../../shared/kv/interface.ts";
import type { Logger } from "../../shared/logger.ts";
import type { CoreEnv } from "../env.ts";
import { sha256Hex } from "../../shared/crypto.ts";
import { type AuthDeps, findByEmail, type UserRow } from "../auth/accounts.ts";
import { normaliseEmail } from "../auth/password.ts";

function digest(value: string): Promise<string> {
  return sha256Hex(value, 16);
}

/**
 * Counts one mail-sending request for `email` (normalised) and `source` (client IP or `user:<id>`); throws 429 when
 * either is over its limit. The count is taken whether or not the address has an account, so a 429 tells nothing
 * about who is registered. A KV outage refuses the request (503): unlike sign-in, nothing urgent is lost by
 * waiting, and an unlimited mail endpoint is what an attacker would wait for.
 */
export async function assertMailAllowed(deps: MailLimitDeps, who: MailSender): Promise<void> {
  const over = await mailLimitExceeded(deps, who);
  if (over) {
    throw new AppError(ErrorCode.RATE_LIMITED, "Too many messages were asked for; try again later", {
      headers: { "Retry-After": String(deps.env.MAIL_LIMIT_WINDOW_SECONDS) },
      details: { rule: over },
    });
  }
}

/**
 * The account an anonymous request for mail (password reset, a new verification link) names, once the request has
 * been counted against the mail limits from the client's IP: counted whether or not the address has an account.
 */
export async function accountAskingForMail(
  deps: AuthDeps,
  input: { email: string; ip: string },
): Promise<{ email: string; user: UserRow | undefined }> {
  const email = normaliseEmail(input.email);
  await assertMailAllowed(deps, { email, source: `ip:${input.ip}` });
  return { email, user: await findByEmail(deps, email) };
}

/** What the mail limits need. */
export type MailLimitDeps = {
  kv: KvStore;
  logger: Logger;
  env: Pick<CoreEnv, "MAIL_LIMIT_PER_EMAIL" | "MAIL_LIMIT_PER_IP" | "MAIL_LIMIT_WINDOW_SECONDS">;
};

/** Who asks for mail to whom; `sourceLimit` overrides MAIL_LIMIT_PER_IP (staff sending invitations in bulk). */
export interface MailSender {
  email: string;
  source: string;
  sourceLimit?: number;
}

/** Counts one request; returns which limit it went over (`mail_email`, `mail_source`) or null. 503 on KV outage. */
export async function mailLimitExceeded(
  deps: MailLimitDeps,
  who: MailSender,
): Promise<"mail_email" | "mail_source" | null> {
  const ttlMs = deps.env.MAIL_LIMIT_WINDOW_SECONDS * 1000;
  let perEmail: number, perSource: number;
  try {
    [perEmail, perSource] = await Promise.all([
      deps.kv.incr(`mail:limit:email:${await digest(who.email)}`, { ttlMs }),
      deps.kv.incr(`mail:limit:source:${await digest(who.source)}`, { ttlMs }),
    ]);
  } catch (err) {
    deps.logger.error("mail rate limit unavailable; refusing to send", { err });
    throw new AppError(ErrorCode.UNAVAILABLE, "Mail cannot be sent right now; try again later", {
      cause: err,
    });
  }
  if (perEmail > deps.env.MAIL_LIMIT_PER_EMAIL) return "mail_email";
  if (perSource > (who.sourceLimit ?? deps.env.MAIL_LIMIT_PER_IP)) return "mail_source";
  return null;
}
