import { z } from "zod";
import { envTypes, loadEnvOrExit } from "../shared/env.ts";
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from "../shared/access_token.ts";
import { kvEnvFields } from "../shared/kv/mod.ts";
import { parseClassLimits, parseLimit } from "./ratelimit/policy.ts";
import { CACHEABLE_POST_PATHS } from "./auth/policy.ts";

/** A zod field parsed by `parse`, reporting its error message as the field's issue. */
function parsed<T>(fallback: string, parse: (v: string) => T) {
  return z.string().default(fallback).transform((v, ctx) => {
    try {
      return parse(v);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: err instanceof Error ? err.message : String(err) });
      return z.NEVER;
    }
  });
}

/** Configuration of the edge tier; nothing else in edge reads `Deno.env`. */
export const edgeEnvSchema = z.object({
  EDGE_PORT: envTypes.port(8080),
  EDGE_HOSTNAME: z.string().default("0.0.0.0"),
  LOG_LEVEL: envTypes.logLevel(),
  /** Where the core tier listens; the edge forwards `/api/v1/*` there. */
  CORE_URL: z.url().default("http://127.0.0.1:8081"),
  /** Adopt X-Request-ID and X-Forwarded-For from the caller: true only behind a trusted proxy (nginx). */
  TRUST_PROXY: envTypes.bool(false),
  BODY_LIMIT_BYTES: envTypes.int(1_048_576, 1024),
  /** Shared with core: signs the identity assertion sent with every forwarded request. */
  EDGE_ASSERTION_SECRET: z.string().min(32).optional(),
  /**
   * Bearer token Prometheus presents to read `/metrics`. The edge's port faces clients (and on Deno Deploy has no
   * private twin), so without a token `/metrics` is not served at all (404).
   */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Time allowed for core to start answering a forwarded request. */
  CORE_TIMEOUT_MS: envTypes.int(30_000, 100),
  /** Expected `iss` and `aud` of access tokens (same values as core's). */
  JWT_ISSUER: z.string().default(ACCESS_TOKEN_ISSUER),
  JWT_AUDIENCE: z.string().default(ACCESS_TOKEN_AUDIENCE),
  /** Core's public keys; unset means `${CORE_URL}/.well-known/jwks.json`. */
  JWKS_URL: z.url().optional(),
  /** How long fetched keys are trusted before a refetch (an unknown kid refetches sooner). */
  JWKS_CACHE_SECONDS: envTypes.int(300, 1),
  /** Shortest gap between two JWKS fetches caused by unknown kids (so junk kids cannot flood core). */
  JWKS_COOLDOWN_SECONDS: envTypes.int(10, 0),
  /** Browser origins allowed to call the API (comma-separated); empty allows none cross-origin. */
  CORS_ORIGINS: envTypes.list(),
  ...kvEnvFields,
  /**
   * How often each edge process reads what changed in the revocation log into its own copy (one KV call per
   * process per interval, whatever the traffic; docs/kv.md, "Revocations"). With the in-process KV the edge reads
   * revocations directly and this does not apply.
   */
  REVOCATION_SYNC_INTERVAL_MS: envTypes.int(1000, 50),
  /**
   * The oldest copy of the revocation log a signed-in request may be checked against: the bound within which a
   * revocation takes effect on every edge. Past it (Redis unreachable) the edge refuses signed-in calls with 503
   * and `Retry-After` (fails closed). Keep it well above the interval plus two KV timeouts.
   */
  REVOCATION_MAX_STALENESS_MS: envTypes.int(5000, 100),
  /** Rate limiting on or off (off only for benchmarks or behind another limiter). */
  RATE_LIMIT_ENABLED: envTypes.bool(true),
  /**
   * Anonymous requests per client IP across the whole API (sign-in, registration, token refresh: a campus NAT of
   * thousands refreshes every 15 minutes). Signed-in requests count per user instead.
   */
  RATE_LIMIT_IP: parsed("600/1m", parseLimit),
  /** Signed-in requests per user across the whole API. */
  RATE_LIMIT_USER: parsed("300/1m", parseLimit),
  /** Per-user limits per route class, overriding the defaults (`chat=20/1m,ai=5/1m,...`; see docs/edge-cache.md). */
  RATE_LIMITS: parsed("", parseClassLimits),
  /** Per-role overrides of the class limits, same format. */
  RATE_LIMITS_STUDENT: parsed("", parseClassLimits),
  RATE_LIMITS_ACADEMIC: parsed("", parseClassLimits),
  RATE_LIMITS_ADMIN: parsed("", parseClassLimits),
  /** Edge caching of responses core marks cacheable. */
  EDGE_CACHE_ENABLED: envTypes.bool(true),
  /**
   * Answer signed-in GETs of fresh public entries this process holds before the middleware chain, with the same
   * checks and headers (edge/fast_hit.ts); off sends every request through the chain.
   */
  EDGE_CACHE_FAST_PATH: envTypes.bool(true),
  /** Cap on how long the edge keeps an entry fresh, whatever core's max-age says. */
  EDGE_CACHE_MAX_TTL_SECONDS: envTypes.int(86_400, 1),
  /** Largest response body the edge caches. */
  EDGE_CACHE_MAX_BYTES: envTypes.int(262_144, 1),
  /** How long a stale entry with an ETag is kept to revalidate with core (a 304 refreshes it). */
  EDGE_CACHE_STALE_SECONDS: envTypes.int(600, 0),
  /** How long the edge trusts that a user may see a scope after core served them its content. */
  EDGE_CACHE_GRANT_SECONDS: envTypes.int(300, 1),
  /** POST paths whose answers may be cached (keyed by body too), when core marks them cacheable; default: the
   * POST routes declared `cache: "scoped"` (shared/api/manifest.json). */
  EDGE_CACHE_POST_PATHS: envTypes.list([...CACHEABLE_POST_PATHS]),
  /** Serve the web app on the edge's own origin (off: the API alone). */
  WEB_APP_ENABLED: envTypes.bool(true),
  /**
   * The built web app (`deno task web:build` makes it). The default is this checkout's `web/dist`, which is also
   * where Deno Deploy finds it.
   */
  WEB_DIST_DIR: z.string().default(new URL("../web/dist", import.meta.url).pathname),
});

/** Parsed edge configuration. */
export type EdgeEnv = z.infer<typeof edgeEnvSchema>;

/** Reads edge configuration, stopping the process with a message that names any bad variable. */
export function loadEdgeEnv(source?: Record<string, string | undefined>): EdgeEnv {
  return loadEnvOrExit(edgeEnvSchema, source);
}
