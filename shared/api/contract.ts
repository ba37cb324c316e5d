/**
 * The vocabulary of the API contract that core's routes declare and the edge enforces: who may call a route, its
 * rate-limit class and its cacheability. Core writes these as OpenAPI extension fields on each route
 * (`core/http/contract.ts`); `deno task api:generate` collects them into `shared/api/manifest.json`, from which the
 * edge builds its route policy, rate-limit and cache tables without importing core.
 */
import type { Role } from "../identity.ts";

/** Who may call a route: anyone, anyone (identity attached when a valid token is sent), or signed-in roles. */
export type Access = "public" | "optional" | readonly Role[];

/** Every role: a route open to anyone signed in. */
export const SIGNED_IN: readonly Role[] = ["ADMIN", "ACADEMIC", "STUDENT"];
/** Admins and academics. */
export const STAFF: readonly Role[] = ["ADMIN", "ACADEMIC"];
/** Admins only. */
export const ADMINS: readonly Role[] = ["ADMIN"];

/** Route classes with their own per-user limits (`login` counts per IP, and per email on login). */
export const ROUTE_RATE_LIMIT_CLASSES = ["chat", "ai", "search", "upload", "login"] as const;
/** A route's rate-limit class. */
export type RouteRateLimitClass = typeof ROUTE_RATE_LIMIT_CLASSES[number];

/**
 * A route's cacheability: `public` (ETag; shared caches may keep it, the edge still checks the token), `private`
 * (ETag; per caller, never stored by the edge), `scoped` (core may mark an answer shareable among the members of a
 * scope; for a POST this puts the path among the edge's cacheable POST paths).
 */
export type Cacheability = "public" | "private" | "scoped";

/** One route of the manifest, as clients call it at the edge. */
export interface ManifestRoute {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** `/api/v1/...`; `:name` matches one segment. */
  path: string;
  access: Access;
  /** Open to an admin who has not yet passed 2FA (enrolment, reading one's account, logout). */
  allowWithoutMfa?: boolean;
  rateLimit?: RouteRateLimitClass;
  cache?: Cacheability;
}

/** The generated manifest file's shape. */
export interface ApiManifest {
  /** Says the file is generated and how to regenerate it. */
  generated: string;
  routes: ManifestRoute[];
}

/** OpenAPI extension fields a core route carries. */
export const EXTENSION = {
  access: "x-access",
  allowWithoutMfa: "x-allow-without-mfa",
  rateLimit: "x-rate-limit",
  cache: "x-cache",
  created: "x-created",
} as const;
