/**
 * Access-token revocation list in the KV store, shared by core (which revokes on logout, password change, role
 * change) and the edge (which checks on every authenticated request). Policy when the KV cannot answer
 * (docs/kv.md): fail closed for admin routes (503, the request does not run), fail open elsewhere (logged):
 * access tokens are short-lived, so a brief outage lets at most a few minutes of a revoked token through on
 * non-admin routes, while Redis being gone does not take the whole API down with it.
 */
import { AppError, ErrorCode } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { KvStore } from "./interface.ts";

/** KV key of a revoked token id. */
export function revokedTokenKey(jti: string): string {
  return `revoked:jti:${jti}`;
}

/** Marks a token id revoked until the token would have expired anyway (`exp`, epoch seconds). */
export async function revokeToken(
  kv: KvStore,
  jti: string,
  options: { exp: number; now?: number },
): Promise<void> {
  const now = options.now ?? Date.now();
  // Kept one minute past expiry so clock skew between tiers cannot let it back in.
  const ttlMs = Math.max(1000, options.exp * 1000 - now + 60_000);
  await kv.set(revokedTokenKey(jti), "1", { ttlMs });
}

/** How `isRevoked` behaves when the KV store fails. */
export interface RevocationCheckOptions {
  /** True for admin routes: an unanswerable check refuses the request (503) instead of letting it through. */
  failClosed: boolean;
  logger?: Logger;
  /** Called on each KV failure (e.g. to count it in metrics). */
  onFailure?: (err: unknown) => void;
}

/**
 * Whether a token id is revoked. When the KV store fails: with `failClosed` throws `AppError(UNAVAILABLE)` with
 * `Retry-After`; otherwise logs and answers false (not revoked).
 */
export async function isRevoked(kv: KvStore, jti: string, options: RevocationCheckOptions): Promise<boolean> {
  try {
    return (await kv.get(revokedTokenKey(jti))) !== null;
  } catch (err) {
    options.onFailure?.(err);
    options.logger?.warn("revocation check failed", {
      failClosed: options.failClosed,
      reason: err instanceof Error ? err.message : String(err),
    });
    if (options.failClosed) {
      throw new AppError(
        ErrorCode.UNAVAILABLE,
        "Token revocation cannot be checked right now; try again shortly",
        {
          headers: { "Retry-After": "5" },
          cause: err,
        },
      );
    }
    return false;
  }
}
