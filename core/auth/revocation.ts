/**
 * Signing a user out everywhere: every refresh family (sessions, in the database) and every access token issued so
 * far (a per-user "revoked before" time in the KV store and its change log, which every edge mirrors and checks
 * on every call next to the `jti` list; shared/kv/revocation.ts). Role changes, deactivation and password changes call it; so should anything else that must end a user's
 * sessions at once (password reset, "sign out everywhere").
 */
import type { Db } from "../../shared/db/client.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import { recordUserRevocation } from "../../shared/kv/revocation.ts";
import type { CoreServices } from "../services.ts";
import { revokeAllSessions } from "./tokens.ts";

/** What revocation uses from core's services. */
export type RevocationDeps = Pick<CoreServices, "database" | "kv" | "env" | "logger">;

/**
 * How long a revocation must stay (the "revoked before" time, and every entry of the revocation change log): as
 * long as the longest access token issued before it, plus skew.
 */
export function revocationRetainMs(deps: Pick<RevocationDeps, "env">): number {
  return deps.env.ACCESS_TOKEN_TTL_SECONDS * 1000 + 60_000;
}

/**
 * Revokes every access token issued to `userId` until now and every refresh family of the user. Tokens issued
 * afterwards (a fresh session, a login with the new password) work. Throws `AppError(UNAVAILABLE)` when the KV
 * store cannot record it: the caller must not report success, since the old tokens would keep working.
 *
 * Call it AFTER the change it protects is committed, so a refresh racing the change cannot mint a token with the
 * old role after the cut-off. Changes that must not commit while revocation is impossible can call it before too
 * (it is idempotent; see `changeRole`). `options.db` runs the session revocation on a transaction instead.
 */
export async function revokeUserTokens(
  deps: RevocationDeps,
  userId: string,
  options: { reason: string; db?: Db },
): Promise<void> {
  try {
    await recordUserRevocation(deps.kv, userId, { beforeMs: Date.now(), retainMs: revocationRetainMs(deps) });
  } catch (err) {
    deps.logger.error("user token revocation failed", { userId, reason: options.reason, error: String(err) });
    throw new AppError(
      ErrorCode.UNAVAILABLE,
      "The user's tokens could not be revoked right now; try again shortly",
      { headers: { "Retry-After": "5" }, cause: err },
    );
  }
  await revokeAllSessions(options.db ?? deps.database.db, userId);
  deps.logger.info("user tokens revoked", { userId, reason: options.reason });
}
