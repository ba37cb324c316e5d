/** Ending every session of a user, for the account flows (password reset, erasure). */
import type { Db } from "../../shared/db/client.ts";
import { revokeAllSessions } from "../auth/tokens.ts";

/**
 * Signs a user out everywhere: every refresh-token family is revoked, so no session can be renewed. Access tokens
 * already issued live out their lifetime (≤ ACCESS_TOKEN_TTL_SECONDS) because their `jti`s are not known here.
 *
 * The one call site for the account flows: when a user-wide revocation that also blocks live access tokens through
 * the KV exists (a `revokeUserTokens`-style function), call it here and every flow gets it.
 */
export async function signOutEverywhere(tx: Db, userId: string): Promise<void> {
  await revokeAllSessions(tx, userId);
}
