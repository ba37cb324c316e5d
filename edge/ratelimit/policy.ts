import type { Role } from "../../shared/identity.ts";
import type { RateLimitRule } from "./interface.ts";
import { policyFor } from "../auth/policy.ts";

/** Route classes with their own per-user limits, plus the two login limits. */
export const RATE_LIMIT_CLASSES = ["chat", "ai", "search", "upload", "login_ip", "login_email"] as const;
/** One of the rate-limited route classes. */
export type RateLimitClass = typeof RATE_LIMIT_CLASSES[number];

/** Limits per class as `{ limit, windowMs }`. */
export type ClassLimits = Record<RateLimitClass, { limit: number; windowMs: number }>;

/** The defaults: the seeds' chat 20/min; generation, the costliest, stricter; login tight per email. */
export const DEFAULT_CLASS_LIMITS: ClassLimits = {
  chat: { limit: 20, windowMs: 60_000 },
  ai: { limit: 5, windowMs: 60_000 },
  search: { limit: 30, windowMs: 60_000 },
  upload: { limit: 10, windowMs: 60_000 },
  login_ip: { limit: 10, windowMs: 60_000 },
  login_email: { limit: 5, windowMs: 300_000 },
};

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `N/window` (`100/1m`, `5/30s`, `1000/1h`); throws with the reason when malformed. */
export function parseLimit(spec: string): { limit: number; windowMs: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d*)\s*(ms|s|m|h)\s*$/.exec(spec);
  if (!match || Number(match[1]) < 1) {
    throw new Error(`"${spec}" is not a limit like "20/1m" (units ms, s, m, h)`);
  }
  return { limit: Number(match[1]), windowMs: Number(match[2] || "1") * UNITS[match[3]] };
}

/** Parses `class=N/window,...` (e.g. `chat=20/1m,ai=5/1m`) into per-class overrides. */
export function parseClassLimits(spec: string): Partial<ClassLimits> {
  const out: Partial<ClassLimits> = {};
  for (const part of spec.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [name, value] = part.split("=").map((s) => s.trim());
    if (!(RATE_LIMIT_CLASSES as readonly string[]).includes(name) || value === undefined) {
      throw new Error(`"${part}" must be class=N/window with class one of ${RATE_LIMIT_CLASSES.join(", ")}`);
    }
    out[name as RateLimitClass] = parseLimit(value);
  }
  return out;
}

/** The configured limits: one per client IP, per class, and per-role overrides of the classes. */
export interface RateLimitPolicy {
  ip: { limit: number; windowMs: number };
  classes: ClassLimits;
  roles: Partial<Record<Role, Partial<ClassLimits>>>;
}

/** The rule for a class, taking the caller's role's override when there is one. */
export function ruleFor(policy: RateLimitPolicy, name: RateLimitClass, role?: Role): RateLimitRule {
  const limits = (role && policy.roles[role]?.[name]) || policy.classes[name];
  return { name, ...limits };
}

/** Which class a request falls in, by method and edge path (`/api/v1/...`), as its route declares; undefined when none. */
export function classOf(method: string, path: string): Exclude<RateLimitClass, "login_email"> | undefined {
  const declared = policyFor(method, path)?.rateLimit;
  return declared === "login" ? "login_ip" : declared;
}
