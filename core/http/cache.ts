import type { MiddlewareHandler } from "hono";
import { etag } from "hono/etag";
import { sha256Sync } from "../../shared/crypto.ts";

/** How long shared caches may keep catalog responses, in seconds. */
export const CATALOG_MAX_AGE_SECONDS = 60;

/** `Cache-Control` for responses that differ per caller: never stored by shared caches (edge, CDN). */
export const PRIVATE_CACHE = "private, no-cache";

/**
 * Edge caching hooks for GETs: an `ETag` (SHA-256 of the body) with `If-None-Match` answered by 304, and a
 * `Cache-Control` saying who may keep the response. `public` marks catalog data that is the same for every signed-in
 * caller (the edge still authenticates before answering from its cache); `private` anything user-specific. A handler
 * may set its own `Cache-Control` (e.g. private for an admin's `includeDeleted` view) and it is kept.
 */
export function cacheHooks(visibility: "public" | "private"): MiddlewareHandler {
  // Hashed on the calling thread (one per cacheable answer, API bodies are small; see sha256Sync).
  const tag = etag({ generateDigest: (body) => sha256Sync(body).buffer });
  return async (c, next) => {
    await tag(c, async () => {
      await next();
      if (c.res.ok && !c.res.headers.has("Cache-Control")) {
        c.res.headers.set(
          "Cache-Control",
          visibility === "public" ? `public, max-age=${CATALOG_MAX_AGE_SECONDS}` : PRIVATE_CACHE,
        );
      }
    });
  };
}
