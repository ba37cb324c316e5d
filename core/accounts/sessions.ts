/** Ending every session of a user, for the account flows (password reset, erasure, reclaimed accounts). */
import type { Db } from "../../shared/db/client.ts";
import { type RevocationDeps, revokeUserTokens } from "../auth/revocation.ts";

/**
 * Signs a user out everywhere: every refresh-token family is revoked in the caller's transaction, and every access
 * token issued so far stops working at the edge (the user's "revoked before" time in the KV). Throws
 * `AppError(UNAVAILABLE)` when the KV cannot record it, so the flow's transaction rolls back instead of reporting a
 * sign-out that did not happen.
 */
export async function signOutEverywhere(
  deps: RevocationDeps,
  tx: Db,
  userId: string,
  reason: string,
): Promise<void> {
  await revokeUserTokens(deps, userId, { reason, db: tx });
}
