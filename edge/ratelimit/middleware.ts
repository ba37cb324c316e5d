import type { Context, MiddlewareHandler } from "hono";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import { setResponseHeaders } from "../../shared/http/response_headers.ts";
import type { ServiceEnv } from "../../shared/http/service_app.ts";
import type { EdgeEnv } from "../env.ts";
import { edgeMetricsOf } from "../metrics.ts";
import type { EdgeVariables } from "../services.ts";
import type { RateLimitDecision, RateLimitRule } from "./interface.ts";
import { classOf, DEFAULT_CLASS_LIMITS, type RateLimitPolicy, ruleFor } from "./policy.ts";

type EdgeEnvT = ServiceEnv<EdgeVariables>;
type EdgeContext = Context<EdgeEnvT>;

/** The rate-limit policy from the edge's configuration. */
export function rateLimitPolicyOf(env: EdgeEnv): RateLimitPolicy {
  return {
    ip: env.RATE_LIMIT_IP,
    classes: { ...DEFAULT_CLASS_LIMITS, ...env.RATE_LIMITS },
    roles: {
      STUDENT: env.RATE_LIMITS_STUDENT,
      ACADEMIC: env.RATE_LIMITS_ACADEMIC,
      ADMIN: env.RATE_LIMITS_ADMIN,
    },
  };
}

/**
 * The limit per client IP over the whole API. Runs first (before token verification) so floods are refused
 * cheaply. Every limit met puts the `RateLimit-*` headers of all limits met so far on the response.
 */
export function ipRateLimit(): MiddlewareHandler<EdgeEnvT> {
  const policies = new WeakMap<EdgeEnv, RateLimitPolicy>();
  return async (c, next) => {
    const { env } = c.get("services");
    if (!env.RATE_LIMIT_ENABLED) return await next();
    let policy = policies.get(env);
    if (!policy) policies.set(env, policy = rateLimitPolicyOf(env));
    await check(c, { name: "ip", ...policy.ip }, c.get("clientIp"));
    await next();
  };
}

/**
 * Per-route-class limits: per user (per IP when anonymous) for chat, generation, search and uploads, with the
 * caller's role's override; per IP and per email for login. Must run after token verification sets `identity`.
 */
export function routeRateLimit(): MiddlewareHandler<EdgeEnvT> {
  const policies = new WeakMap<EdgeEnv, RateLimitPolicy>();
  return async (c, next) => {
    const { env } = c.get("services");
    const cls = env.RATE_LIMIT_ENABLED ? classOf(c.req.method, c.req.path) : undefined;
    if (!cls) return await next();
    let policy = policies.get(env);
    if (!policy) policies.set(env, policy = rateLimitPolicyOf(env));
    const identity = c.get("identity");
    if (cls === "login_ip") {
      await check(c, ruleFor(policy, "login_ip"), c.get("clientIp"));
      const email = c.req.path.replace(/\/+$/, "").endsWith("/auth/login")
        ? await loginEmailOf(c)
        : undefined;
      if (email) await check(c, ruleFor(policy, "login_email"), await digest(email));
    } else {
      const who = identity ? `user:${identity.userId}` : `ip:${c.get("clientIp")}`;
      await check(c, ruleFor(policy, cls, identity?.role), who);
    }
    await next();
  };
}

/** Counts the request against one rule; throws the 429 when it is over. */
async function check(c: EdgeContext, rule: RateLimitRule, identifier: string): Promise<void> {
  const services = c.get("services");
  const decision = await services.rateLimiter.limit(rule, identifier);
  const taken = [...(c.get("rateLimits") ?? []), { rule, decision }];
  c.set("rateLimits", taken);
  const headers = rateLimitHeaders(taken);
  setResponseHeaders(c, headers);
  if (decision.success) return;
  edgeMetricsOf(services.metrics).rateLimited.inc({ rule: rule.name });
  const retryAfter = Math.max(1, Math.ceil((decision.resetAt - Date.now()) / 1000));
  throw new AppError(ErrorCode.RATE_LIMITED, `Too many requests; try again in ${retryAfter} s`, {
    details: { rule: rule.name, limit: decision.limit, windowSeconds: rule.windowMs / 1000 },
    headers: Object.fromEntries([...headers, ["Retry-After", String(retryAfter)]]),
  });
}

/**
 * `RateLimit-Limit/Remaining/Reset` of the tightest limit met (least remaining) and `RateLimit-Policy` listing
 * every limit applied (`limit;w=seconds`), after the IETF RateLimit header fields draft.
 */
export function rateLimitHeaders(
  taken: { rule: RateLimitRule; decision: RateLimitDecision }[],
  now = Date.now(),
): [string, string][] {
  if (taken.length === 0) return [];
  const tightest = taken.reduce((a, b) => b.decision.remaining < a.decision.remaining ? b : a);
  return [
    ["RateLimit-Limit", String(tightest.decision.limit)],
    ["RateLimit-Remaining", String(tightest.decision.remaining)],
    ["RateLimit-Reset", String(Math.max(0, Math.ceil((tightest.decision.resetAt - now) / 1000)))],
    [
      "RateLimit-Policy",
      taken.map(({ rule, decision }) => `${decision.limit};w=${rule.windowMs / 1000}`).join(", "),
    ],
  ];
}

/** The email of a login attempt, read from the JSON body without consuming it (Hono keeps the bytes for forward). */
async function loginEmailOf(c: EdgeContext): Promise<string | undefined> {
  if (!c.req.header("content-type")?.includes("json")) return undefined;
  try {
    const body = JSON.parse(new TextDecoder().decode(await c.req.arrayBuffer()));
    const email = body?.email;
    return typeof email === "string" && email.trim() ? email.trim().toLowerCase() : undefined;
  } catch {
    return undefined; // core answers the malformed body with 400
  }
}

/** Emails are hashed before they become keys, so Redis holds no addresses. */
async function digest(text: string): Promise<string> {
  const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(bytes).slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
