import type { MiddlewareHandler } from "hono";
import { etag } from "hono/etag";

/** How long shared caches may keep catalog responses, in seconds. */
export const CATALOG_MAX_AGE_SECONDS = 60;

/** `Cache-Control` for responses that differ per caller: never stored by shared caches (edge, CDN). */
export const PRIVATE_CACHE = "private, no-cache";

const sha256 = (body: Uint8Array) => crypto.subtle.digest("SHA-256", body as Uint8Array<ArrayBuffer>);

/**
 * Edge caching hooks for GETs: an `ETag` (SHA-256 of the body) with `If-None-Match` answered by 304, and a
 * `Cache-Control` saying who may keep the response. `public` marks catalog data that is the same for every signed-in
 * caller (the edge still authenticates before answering from its cache); `private` anything user-specific. A handler
 * may set its own `Cache-Control` (e.g. private for an admin's `includeDeleted` view) and it is kept.
 */
export function cacheHooks(visibility: "public" | "private"): MiddlewareHandler {
  const tag = etag({ generateDigest: sha256 });
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
