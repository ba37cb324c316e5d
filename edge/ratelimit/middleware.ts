import type { Context, MiddlewareHandler } from "hono";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import { setResponseHeaders } from "../../shared/http/response_headers.ts";
import type { ServiceEnv } from "../../shared/http/service_app.ts";
import type { EdgeEnv } from "../env.ts";
import { edgeMetricsOf } from "../metrics.ts";
import { emailDigest, signInBlockKey, signInEmailCounterId } from "../../shared/kv/sign_in_limits.ts";
import type { EdgeVariables } from "../services.ts";
import type { RateLimitDecision, RateLimitRule } from "./interface.ts";
import type { Role } from "../../shared/identity.ts";
import { policyFor } from "../auth/policy.ts";
import { classOf, DEFAULT_CLASS_LIMITS, type RateLimitPolicy, ruleFor } from "./policy.ts";

type EdgeEnvT = ServiceEnv<EdgeVariables>;
type EdgeContext = Context<EdgeEnvT>;

/** The rate-limit policy from the edge's configuration. */
export function rateLimitPolicyOf(env: EdgeEnv): RateLimitPolicy {
  return {
    ip: env.RATE_LIMIT_IP,
    user: env.RATE_LIMIT_USER,
    classes: { ...DEFAULT_CLASS_LIMITS, ...env.RATE_LIMITS },
    roles: {
      STUDENT: env.RATE_LIMITS_STUDENT,
      ACADEMIC: env.RATE_LIMITS_ACADEMIC,
      ADMIN: env.RATE_LIMITS_ADMIN,
    },
  };
}

const policies = new WeakMap<EdgeEnv, RateLimitPolicy>();
function policyOf(env: EdgeEnv): RateLimitPolicy {
  let policy = policies.get(env);
  if (!policy) policies.set(env, policy = rateLimitPolicyOf(env));
  return policy;
}

function hasBearer(c: EdgeContext): boolean {
  return /^Bearer\s+\S/i.test(c.req.header("authorization") ?? "");
}

/**
 * The limit per client IP over the whole API, for ANONYMOUS traffic: it runs first (before token verification)
 * so floods are refused cheaply. A request with a bearer token is limited per user after verification instead
 * (`routeRateLimit`), so a lecture hall of signed-in students behind one NAT address is not throttled as one
 * client; a bearer token that fails verification is counted against the IP, so junk tokens cannot dodge it.
 */
export function ipRateLimit(): MiddlewareHandler<EdgeEnvT> {
  return async (c, next) => {
    const { env } = c.get("services");
    if (!env.RATE_LIMIT_ENABLED) return await next();
    const rule = { name: "ip", ...policyOf(env).ip };
    // Public routes never verify a token: a bearer header there must not buy a way around the per-IP limit.
    if (!hasBearer(c) || policyFor(c.req.method, c.req.path)?.access === "public") {
      await check(c, [{ rule, identifier: c.get("clientIp") }]);
      return await next();
    }
    try {
      await next();
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.UNAUTHORIZED) {
        await check(c, [{ rule, identifier: c.get("clientIp") }]);
      }
      throw err;
    }
    // A route open to anonymous callers (logout) that ran without a verified caller counts as anonymous.
    if (!c.get("identity")) await check(c, [{ rule, identifier: c.get("clientIp") }]);
  };
}

/**
 * After token verification: every signed-in request counts against the caller's own limit (`RATE_LIMIT_USER`);
 * route classes add per-user limits (per IP when anonymous) for chat, generation, search and uploads, with the
 * caller's role's override. Sign-in routes count FAILURES only (answers 400–499 but 429), per IP and per email:
 * a request is refused while an earlier burst of failures keeps its IP or email over the limit.
 */
export function routeRateLimit(): MiddlewareHandler<EdgeEnvT> {
  return async (c, next) => {
    const { env } = c.get("services");
    if (!env.RATE_LIMIT_ENABLED) return await next();
    const policy = policyOf(env);
    const identity = c.get("identity");
    const cls = classOf(c.req.method, c.req.path);
    if (cls === "login_ip") {
      if (identity) {
        await check(c, [{ rule: { name: "user", ...policy.user }, identifier: `user:${identity.userId}` }]);
      }
      return await limitSignInFailures(c, policy, next);
    }
    const limits = identity
      ? signedInLimits(env, c.req.method, c.req.path, identity)!
      : cls
      ? [{ rule: ruleFor(policy, cls), identifier: `ip:${c.get("clientIp")}` }]
      : [];
    if (limits.length) await check(c, limits);
    await next();
  };
}

/**
 * Sign-in: refuse while blocked, forward, and count the answer against the limits only when it is a failure. The
 * per-email block and counter use the keys core's admin "unlock" clears (`shared/kv/sign_in_limits.ts`).
 */
async function limitSignInFailures(c: EdgeContext, policy: RateLimitPolicy, next: () => Promise<void>) {
  const email = c.req.path.replace(/\/+$/, "").endsWith("/auth/login") ? await loginEmailOf(c) : undefined;
  // [rule, block id, counter id]
  const limits: [RateLimitRule, string, string][] = [[
    ruleFor(policy, "login_ip"),
    c.get("clientIp"),
    c.get("clientIp"),
  ]];
  const services = c.get("services");
  if (email) {
    const digest = await emailDigest(email);
    const counter = await signInEmailCounterId(services.kv, digest).catch(() => digest);
    limits.push([ruleFor(policy, "login_email"), digest, counter]);
  }
  for (const [rule, id] of limits) {
    const blockedUntil = await readBlock(c, rule, id);
    if (blockedUntil > Date.now()) {
      edgeMetricsOf(services.metrics).rateLimited.inc({ rule: rule.name });
      const retryAfter = Math.max(1, Math.ceil((blockedUntil - Date.now()) / 1000));
      throw new AppError(ErrorCode.RATE_LIMITED, `Too many failed attempts; try again in ${retryAfter} s`, {
        details: { rule: rule.name, limit: rule.limit, windowSeconds: rule.windowMs / 1000 },
        headers: { "Retry-After": String(retryAfter) },
      });
    }
  }
  let status = 500;
  try {
    await next();
    status = c.res.status;
  } catch (err) {
    status = err instanceof AppError ? err.status : 500;
    throw err;
  } finally {
    if (status >= 400 && status < 500 && status !== 429) {
      for (const [rule, id, counter] of limits) {
        const decision = await services.rateLimiter.limit(rule, counter);
        // The failure that used the last allowance blocks the next attempt until the window moves on.
        if (!decision.success || decision.remaining <= 0) await writeBlock(c, rule, id, decision.resetAt);
      }
    }
  }
}

function blockKey(rule: RateLimitRule, id: string): string {
  return signInBlockKey(rule.name, id);
}

/** When a failure-limited identifier may try again (epoch ms; 0 when free). A KV failure lets it through. */
async function readBlock(c: EdgeContext, rule: RateLimitRule, id: string): Promise<number> {
  try {
    return Number(await c.get("services").kv.get(blockKey(rule, id)) ?? 0);
  } catch {
    return 0; // Core's own throttle still applies; locking everyone out because Redis is down would be worse.
  }
}

async function writeBlock(c: EdgeContext, rule: RateLimitRule, id: string, until: number): Promise<void> {
  try {
    await c.get("services").kv.set(blockKey(rule, id), String(until), {
      ttlMs: Math.max(1000, until - Date.now()),
    });
  } catch (err) {
    c.get("services").logger.warn("could not record a sign-in failure block", { rule: rule.name, err });
  }
}

/**
 * The limits a signed-in request counts against, in the order `routeRateLimit` checks them (its user limit, then
 * its route class's); undefined for a sign-in route, whose failures-only counting only the middleware does.
 */
export function signedInLimits(
  env: EdgeEnv,
  method: string,
  path: string,
  identity: { userId: string; role: Role },
): { rule: RateLimitRule; identifier: string }[] | undefined {
  const policy = policyOf(env);
  const who = `user:${identity.userId}`;
  const limits = [{ rule: { name: "user", ...policy.user }, identifier: who }];
  const cls = classOf(method, path);
  if (cls === "login_ip") return undefined;
  if (cls) limits.push({ rule: ruleFor(policy, cls, identity.role), identifier: who });
  return limits;
}

/** Decisions already taken for a request (by the edge's fast path) that its middleware must use, not retake. */
const decided = new WeakMap<Request, Map<string, RateLimitDecision>>();

/**
 * Hands decisions taken outside the middleware to the request's run through it: the fast path counted the request
 * and found it over a limit, and the middleware answers the 429 without counting it twice.
 */
export function useTakenDecisions(
  req: Request,
  taken: { rule: RateLimitRule; identifier: string; decision: RateLimitDecision }[],
): void {
  decided.set(req, new Map(taken.map((t) => [`${t.rule.name} ${t.identifier}`, t.decision])));
}

/**
 * Counts the request against its rules; throws the 429 of the first one (in the order given) it is over. The
 * decisions are taken at once, so a signed-in request's user and route-class limits cost one KV round trip (the
 * Upstash client pipelines the calls of one turn into one request), not one per limit. So a request refused by
 * its user limit has counted against its class limit too (refusals never count less than before, at most that one
 * extra count per refused request).
 */
async function check(c: EdgeContext, limits: { rule: RateLimitRule; identifier: string }[]): Promise<void> {
  const services = c.get("services");
  const given = decided.get(c.req.raw);
  const decisions = await Promise.all(
    limits.map(({ rule, identifier }) =>
      given?.get(`${rule.name} ${identifier}`) ?? services.rateLimiter.limit(rule, identifier)
    ),
  );
  for (const [i, { rule }] of limits.entries()) {
    const decision = decisions[i];
    const taken = [...(c.get("rateLimits") ?? []), { rule, decision }];
    c.set("rateLimits", taken);
    const headers = rateLimitHeaders(taken);
    setResponseHeaders(c, headers);
    if (decision.success) continue;
    edgeMetricsOf(services.metrics).rateLimited.inc({ rule: rule.name });
    const retryAfter = Math.max(1, Math.ceil((decision.resetAt - Date.now()) / 1000));
    throw new AppError(ErrorCode.RATE_LIMITED, `Too many requests; try again in ${retryAfter} s`, {
      details: { rule: rule.name, limit: decision.limit, windowSeconds: rule.windowMs / 1000 },
      headers: Object.fromEntries([...headers, ["Retry-After", String(retryAfter)]]),
    });
  }
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
