/**
 * The KV side of the edge-cache contract (docs/edge-cache.md), used by core when it marks a response cacheable for a
 * scope and when the scope's content changes, and by the edge when it serves a cached entry.
 *
 * A scope ("course:<id>", "semester:<id>") has a version counter in the KV store. Core reads it before computing a
 * cacheable answer and names it in `X-Cache-Scope: course:<id>@<version>`; any change to the scope's content bumps
 * the counter after the change commits. The edge serves an entry only while the counter still equals the entry's
 * version, so an answer built from older content can never be served after a change.
 */
import type { KvStore } from "./interface.ts";

/** KV key of a scope's version counter. */
export function scopeVersionKey(scope: string): string {
  return `cache:ver:${scope}`;
}

/** KV key recording that the edge saw core serve `userId` content of `scope` (see docs/edge-cache.md). */
export function scopeGrantKey(userId: string, scope: string): string {
  return `cache:grant:${userId}:${scope}`;
}

/** The scope's current version, creating the counter on first use (core calls this before computing an answer). */
export async function currentScopeVersion(kv: KvStore, scope: string): Promise<number> {
  const found = await kv.get(scopeVersionKey(scope));
  if (found !== null) return Number(found);
  // incr, not set: two first users racing both bump, which only invalidates, never masks.
  return await kv.incr(scopeVersionKey(scope));
}

/** Invalidates every cached entry of a scope; call after a change to its content commits. */
export function bumpScopeVersion(kv: KvStore, scope: string): Promise<number> {
  return kv.incr(scopeVersionKey(scope));
}

/** Stops the edge serving cached `scope` entries to a user at once (e.g. after unenrollment). */
export function revokeScopeGrant(kv: KvStore, userId: string, scope: string): Promise<void> {
  return kv.del(scopeGrantKey(userId, scope));
}

/** The value of an `X-Cache-Scope` header for these scopes and versions. */
export function formatCacheScope(scopes: Record<string, number>): string {
  return Object.entries(scopes).map(([scope, version]) => `${scope}@${version}`).join(", ");
}

/** Parses an `X-Cache-Scope` header; null when it is malformed (then nothing is cached). */
export function parseCacheScope(header: string): Record<string, number> | null {
  const out: Record<string, number> = {};
  for (const part of header.split(",").map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z_]+:[A-Za-z0-9_-]+)@(\d+)$/.exec(part);
    if (!match) return null;
    out[match[1]] = Number(match[2]);
  }
  return Object.keys(out).length > 0 ? out : null;
}
