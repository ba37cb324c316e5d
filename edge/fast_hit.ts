/**
 * The edge's fast path: a signed-in GET or HEAD that this process holds a fresh public copy of is answered here,
 * before Hono's middleware chain, with every check and every trace the chain would give it: the token (a known
 * signature, its expiry and the revocation list), the route policy (role, admins' 2FA), the per-user and route-class
 * rate limits, the cache's vary check, the secure and CORS headers, the request id, the metrics, the span and the
 * access-log line, through the same functions the middleware uses. Anything else (no token or an unknown one, a
 * revoked token, a refused role, a request `Cache-Control`, a body, a scoped or missing entry, a limit exceeded, a
 * KV failure) goes to the full chain, which then gives the answer it always gave: nothing here has a side effect
 * before the request is known to be served here, except rate-limit decisions, which are handed to the chain so a
 * refused request is counted once. Why: the chain's cost (dispatch through ~10 middleware, a context, closures and
 * promises per step) was most of a cached answer's (docs/edge-cache.md, "Benchmark").
 */
import { trace } from "@opentelemetry/api";
import { recordRequest, requestIdFor } from "../shared/http/request_context.ts";
import { bearerOf } from "./auth/middleware.ts";
import { policyFor } from "./auth/policy.ts";
import { freshLocalEntry, getCacheKey, hitParts } from "./cache/middleware.ts";
import type { CacheEntry } from "./cache/entry.ts";
import { edgeMetricsOf } from "./metrics.ts";
import type { RateLimitDecision, RateLimitRule } from "./ratelimit/interface.ts";
import { rateLimitHeaders, signedInLimits, useTakenDecisions } from "./ratelimit/middleware.ts";
import { EXPOSED_HEADERS, SECURE_HEADERS } from "./security_headers.ts";
import type { EdgeServices } from "./services.ts";
import type { Identity } from "../shared/identity.ts";

/** The route template the chain records for an answer of the edge cache (its middleware's pattern). */
const CACHE_ROUTE = "/api/v1/*";

/** The app's own answer to a request (its whole chain). */
type Fallback = () => Response | Promise<Response>;

/**
 * Returns `(request, fallback) => answer` for requests the fast path serves, and undefined for the others, which
 * the caller hands to the app untouched; `fallback` is the app's own answer, for what turns out not to be servable.
 */
export function fastCachedAnswer(
  services: EdgeServices,
): (req: Request, fallback: Fallback) => Promise<Response> | undefined {
  const { env, kv, verifyAccessToken } = services;
  const cached = verifyAccessToken.cached;
  const edgeHeadersByOrigin = new Map<string, readonly (readonly [string, string])[]>();
  if (!env.EDGE_CACHE_ENABLED || !env.EDGE_CACHE_FAST_PATH || !cached) return () => undefined;
  return (req, fallback) => {
    const method = req.method;
    // Not HEAD: Hono runs a HEAD as a GET and strips the body; the chain keeps doing that.
    if (method !== "GET") return undefined;
    const url = req.url;
    const key = getCacheKey(url);
    // `cache:e:GET:` is 12 characters: what follows is the path and query.
    if (!key.startsWith("/api/v1/", 12)) return undefined;
    const headers = req.headers;
    // A request directive, or a body (the chain's body limit), is left to the chain.
    if (
      headers.get("cache-control") !== null || headers.get("content-length") !== null ||
      headers.get("transfer-encoding") !== null
    ) {
      return undefined;
    }
    const now = Date.now();
    const entry = freshLocalEntry(kv, key, now, (h) => headers.get(h));
    if (!entry || entry.scopes) return undefined;
    const token = bearerOf(headers.get("authorization") ?? undefined);
    if (!token) return undefined;
    const query = key.indexOf("?");
    const path = query < 0 ? key.slice(12) : key.slice(12, query);
    // Hono decodes a percent-encoded path before routing: left to it.
    if (path.includes("%")) return undefined;
    const policy = policyFor(method, path);
    if (!policy || policy.access === "public") return undefined;
    const identity = cached(token);
    if (!identity) return undefined;
    return identity.then(
      (caller) => {
        if (policy.access !== "optional" && !policy.access.includes(caller.role)) return fallback();
        if (caller.role === "ADMIN" && !caller.mfa && !policy.allowWithoutMfa) return fallback();
        return answer(req, fallback, { method, path, entry, now, caller });
      },
      // A revoked token, or revocations that cannot be read: the chain answers it as it always did.
      () => fallback(),
    );
  };

  /** The secure and CORS headers for a request from `origin`, per allowed origin (a configured few). */
  function edgeHeadersFor(origin: string | null): readonly (readonly [string, string])[] {
    const allowed = origin && env.CORS_ORIGINS.includes(origin) ? origin : "";
    let found = edgeHeadersByOrigin.get(allowed);
    if (!found) {
      found = [
        ...SECURE_HEADERS,
        ...(allowed ? [["Access-Control-Allow-Origin", allowed] as const] : []),
        ["Access-Control-Allow-Credentials", "true"],
        ["Access-Control-Expose-Headers", EXPOSED_HEADERS],
      ];
      edgeHeadersByOrigin.set(allowed, found);
    }
    return found;
  }

  async function answer(
    req: Request,
    fallback: Fallback,
    request: { method: string; path: string; entry: CacheEntry; now: number; caller: Identity },
  ): Promise<Response> {
    const started = performance.now();
    const { method, path, entry, now } = request;
    const taken: { rule: RateLimitRule; identifier: string; decision: RateLimitDecision }[] = [];
    if (env.RATE_LIMIT_ENABLED) {
      const limits = signedInLimits(env, method, path, request.caller);
      if (!limits) return await fallback();
      for (const { rule, identifier } of limits) {
        let decision: RateLimitDecision;
        try {
          decision = await services.rateLimiter.limit(rule, identifier);
        } catch {
          // The limiter failed: the chain retakes this decision (and those after it) and answers as it does.
          useTakenDecisions(req, taken);
          return await fallback();
        }
        taken.push({ rule, identifier, decision });
        if (!decision.success) {
          // Over a limit: the chain answers the 429 (with its headers and error body) from these decisions.
          useTakenDecisions(req, taken);
          return await fallback();
        }
      }
    }
    // The headers the chain's middleware add (addEdgeResponseHeaders, the request id, the limits), in the order
    // `responseWithHeaders` gives them after the entry's own: built here as one list, without the per-header
    // bookkeeping the chain needs (fast_hit_test.ts holds the two answers equal).
    const headers = req.headers;
    // The caller's request id is read only when it may be adopted (each header read is a call into the runtime).
    const requestId = requestIdFor(env.TRUST_PROXY ? headers.get("x-request-id") : null, env.TRUST_PROXY);
    const span = trace.getActiveSpan();
    span?.setAttribute("request.id", requestId);
    const hit = hitParts(entry, { now, method, ifNoneMatch: headers.get("if-none-match") });
    const list = hit.headers;
    for (const pair of edgeHeadersFor(headers.get("origin"))) list.push(pair as [string, string]);
    list.push(["X-Request-ID", requestId]);
    if (taken.length > 0) { for (const pair of rateLimitHeaders(taken)) list.push(pair); }
    if (!varyListsOrigin(entry)) list.push(["Vary", "Origin"]);
    const res = new Response(hit.body, { status: hit.status, headers: list });
    edgeMetricsOf(services.metrics).cacheResult.hit.inc();
    recordRequest(services, {
      method,
      path,
      route: CACHE_ROUTE,
      status: res.status,
      requestId,
      started,
      span,
    });
    return res;
  }
}

const listsOrigin = new WeakMap<object, boolean>();

/**
 * Whether an entry's stored `Vary` already lists `Origin` (then the chain's `Vary: Origin` is not added twice); once
 * per decoded entry (its copies share their headers array).
 */
function varyListsOrigin(entry: CacheEntry): boolean {
  let found = listsOrigin.get(entry.headers);
  if (found === undefined) {
    const vary = entry.headers.find(([h]) => h === "vary")?.[1];
    found = !!vary && vary.split(",").some((t) => t.trim().toLowerCase() === "origin");
    listsOrigin.set(entry.headers, found);
  }
  return found;
}
