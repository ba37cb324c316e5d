import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import {
  appendResponseHeader,
  type HeaderOwner,
  removeResponseHeader,
  setResponseHeader,
  setResponseHeaders,
} from "../shared/http/response_headers.ts";

/** Hono's secure-headers options for the edge: an API serves no documents, so a locked-down CSP costs nothing. */
export const SECURE_HEADERS_OPTIONS = {
  strictTransportSecurity: "max-age=63072000; includeSubDomains",
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
};

/**
 * What `secureHeaders(SECURE_HEADERS_OPTIONS)` writes on every response (Hono 4's defaults plus the two options),
 * as one list; `security_headers_test.ts` checks it against Hono's middleware so a Hono upgrade cannot drift.
 */
export const SECURE_HEADERS: readonly (readonly [string, string])[] = [
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  ["Referrer-Policy", "no-referrer"],
  ["Strict-Transport-Security", "max-age=63072000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Frame-Options", "SAMEORIGIN"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
  ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"],
];

/** Hono's CORS options for the edge: credentials for the configured browser origins only. */
export function corsOptions(origins: string[]) {
  return {
    origin: origins,
    credentials: true,
    allowHeaders: ["Authorization", "Content-Type", "X-Request-ID"],
    allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    exposeHeaders: ["X-Request-ID", "Retry-After", "WWW-Authenticate"],
    maxAge: 600,
  };
}

/**
 * Secure headers and CORS on every response, with the same result as Hono's `secureHeaders` and `cors` middleware
 * (which still answer preflights), but registered as pending response headers (`shared/http/response_headers.ts`)
 * instead of being set one by one on a response after it was built: on a cached answer that was most of its cost.
 */
export function edgeResponseHeaders(origins: string[]): MiddlewareHandler {
  const options = corsOptions(origins);
  const honoSecure = secureHeaders(SECURE_HEADERS_OPTIONS);
  const honoCors = cors(options);
  const exposed = EXPOSED_HEADERS;
  return async (c, next) => {
    // Any OPTIONS (a preflight) is answered by Hono's two middleware as before: CORS answers 204 without going
    // further (its answer becomes the response, as Hono's compose would make it) and secure headers go on it.
    if (c.req.method === "OPTIONS") {
      return await honoSecure(c, async () => {
        const res = await honoCors(c, next);
        if (res) c.res = res;
      });
    }
    addEdgeResponseHeaders(c, origins, exposed, c.req.header("origin"));
    await next();
  };
}

/** The secure and CORS headers of a request that is not a preflight (shared with the edge's fast path). */
export function addEdgeResponseHeaders(
  c: HeaderOwner,
  origins: string[],
  exposed: string,
  origin: string | null | undefined,
): void {
  setResponseHeaders(c, SECURE_HEADERS);
  removeResponseHeader(c, "X-Powered-By");
  if (origin && origins.includes(origin)) setResponseHeader(c, "Access-Control-Allow-Origin", origin);
  setResponseHeader(c, "Access-Control-Allow-Credentials", "true");
  setResponseHeader(c, "Access-Control-Expose-Headers", exposed);
  appendResponseHeader(c, "Vary", "Origin");
}

/** `Access-Control-Expose-Headers` of the edge's answers. */
export const EXPOSED_HEADERS = corsOptions([]).exposeHeaders.join(",");
