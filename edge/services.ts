import type { Identity } from "../shared/identity.ts";
import type { KvStore } from "../shared/kv/interface.ts";
import type { RevocationCheck } from "../shared/kv/revocation.ts";
import type { Logger } from "../shared/logger.ts";
import type { AccessTokenVerifier } from "./auth/verify.ts";
import type { ServiceMetrics } from "../shared/metrics.ts";
import type { EdgeEnv } from "./env.ts";
import type { RateLimitDecision, RateLimiter, RateLimitRule } from "./ratelimit/interface.ts";

/** Everything the edge's handlers use, built once at start. The edge holds no database. */
export interface EdgeServices {
  env: EdgeEnv;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Used to reach core; injectable so tests can call a core app in-process. */
  fetch: typeof fetch;
  /** Shared with core: the access-token revocation list. */
  kv: KvStore;
  /**
   * Revoked tokens and users: a `RevocationMirror` synced from the KV's change log (Upstash), or direct reads of
   * the in-process KV. Read by `verifyAccessToken`.
   */
  revocations: RevocationCheck;
  /** Checks access tokens against core's JWKS and the revocations. */
  verifyAccessToken: AccessTokenVerifier;
  rateLimiter: RateLimiter;
}

/** Hono context variables of the edge tier. */
export interface EdgeVariables {
  services: EdgeServices;
  clientIp: string;
  /** The verified caller, set by token verification when a valid access token is presented. */
  identity?: Identity;
  /** Rate-limit decisions taken for this request, for the `RateLimit-*` headers. */
  rateLimits?: { rule: RateLimitRule; decision: RateLimitDecision }[];
  /** Extra headers for the request forwarded to core (e.g. the edge cache's `If-None-Match`). */
  forwardHeaders?: Record<string, string>;
}
