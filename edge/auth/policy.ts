/**
 * The edge's route policy: the ONE table that says which `/api/v1` routes are public and which roles may call the
 * others. A route that is not listed is refused (401 without a token, 403 with one): new core routes must be added
 * here to be reachable. Core checks roles again from the signed assertion.
 */
import type { Role } from "../../shared/identity.ts";

/** Who may call a route: anyone, anyone (identity attached when a valid token is sent), or signed-in roles. */
export type Access = "public" | "optional" | readonly Role[];

/** One row of the policy table. */
export interface RoutePolicy {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path as clients call it; `:name` matches one segment, a trailing `*` matches the rest. */
  path: string;
  access: Access;
  /** Open to an admin who has not yet passed 2FA (enrolment, reading one's account, logout). */
  allowWithoutMfa?: boolean;
}

const ANYONE_SIGNED_IN: readonly Role[] = ["ADMIN", "ACADEMIC", "STUDENT"];
const STAFF: readonly Role[] = ["ADMIN", "ACADEMIC"];

/** The route policy table. */
export const ROUTE_POLICY: readonly RoutePolicy[] = [
  { method: "GET", path: "/api/v1/version", access: "public" },
  // Identity
  { method: "POST", path: "/api/v1/auth/register", access: "public" },
  { method: "POST", path: "/api/v1/auth/login", access: "public" },
  { method: "POST", path: "/api/v1/auth/refresh", access: "public" },
  { method: "POST", path: "/api/v1/auth/google", access: "public" },
  { method: "POST", path: "/api/v1/auth/logout", access: "optional", allowWithoutMfa: true },
  { method: "POST", path: "/api/v1/auth/password", access: ANYONE_SIGNED_IN },
  { method: "POST", path: "/api/v1/auth/2fa/enrol", access: ANYONE_SIGNED_IN, allowWithoutMfa: true },
  { method: "POST", path: "/api/v1/auth/2fa/verify", access: ANYONE_SIGNED_IN, allowWithoutMfa: true },
  { method: "GET", path: "/api/v1/me", access: ANYONE_SIGNED_IN, allowWithoutMfa: true },
  { method: "PATCH", path: "/api/v1/me", access: ANYONE_SIGNED_IN },
  // Administration
  { method: "PATCH", path: "/api/v1/users/:id/role", access: ["ADMIN"] },
  { method: "DELETE", path: "/api/v1/users/:id", access: ["ADMIN"] },
  { method: "PUT", path: "/api/v1/users/:id/profile", access: ["ADMIN"] },
  { method: "GET", path: "/api/v1/audit", access: ["ADMIN"] },
  // Academic structure (core narrows every row to the caller's scope)
  { method: "GET", path: "/api/v1/faculties", access: ANYONE_SIGNED_IN },
  { method: "GET", path: "/api/v1/faculties/:id", access: ANYONE_SIGNED_IN },
  { method: "POST", path: "/api/v1/faculties", access: ["ADMIN"] },
  { method: "PATCH", path: "/api/v1/faculties/:id", access: ["ADMIN"] },
  { method: "DELETE", path: "/api/v1/faculties/:id", access: ["ADMIN"] },
  { method: "POST", path: "/api/v1/faculties/:id/restore", access: ["ADMIN"] },
  { method: "GET", path: "/api/v1/semesters", access: ANYONE_SIGNED_IN },
  { method: "GET", path: "/api/v1/semesters/:id", access: ANYONE_SIGNED_IN },
  { method: "POST", path: "/api/v1/semesters", access: ["ADMIN"] },
  { method: "PATCH", path: "/api/v1/semesters/:id", access: ["ADMIN"] },
  { method: "DELETE", path: "/api/v1/semesters/:id", access: ["ADMIN"] },
  { method: "POST", path: "/api/v1/semesters/:id/restore", access: ["ADMIN"] },
  { method: "GET", path: "/api/v1/courses", access: ANYONE_SIGNED_IN },
  { method: "GET", path: "/api/v1/courses/:id", access: ANYONE_SIGNED_IN },
  { method: "POST", path: "/api/v1/courses", access: STAFF },
  { method: "PATCH", path: "/api/v1/courses/:id", access: STAFF },
  { method: "DELETE", path: "/api/v1/courses/:id", access: STAFF },
  { method: "POST", path: "/api/v1/courses/:id/restore", access: ["ADMIN"] },
  { method: "GET", path: "/api/v1/courses/:id/enrollments", access: STAFF },
  { method: "POST", path: "/api/v1/courses/:id/enrollments", access: STAFF },
  { method: "POST", path: "/api/v1/courses/:id/enrollments/import", access: STAFF },
  { method: "PATCH", path: "/api/v1/courses/:id/enrollments/:enrollmentId", access: STAFF },
  { method: "DELETE", path: "/api/v1/courses/:id/enrollments/:enrollmentId", access: STAFF },
  { method: "POST", path: "/api/v1/courses/:id/enrollments/:enrollmentId/restore", access: ["ADMIN"] },
  { method: "GET", path: "/api/v1/me/courses", access: ANYONE_SIGNED_IN },
  { method: "GET", path: "/api/v1/me/profile", access: ANYONE_SIGNED_IN },
  { method: "PATCH", path: "/api/v1/me/profile", access: ANYONE_SIGNED_IN },
  // Jobs and notifications (core shows a job to its owner and admins only)
  { method: "GET", path: "/api/v1/jobs", access: ["ADMIN"] },
  { method: "GET", path: "/api/v1/jobs/:id", access: ANYONE_SIGNED_IN },
  { method: "POST", path: "/api/v1/jobs/:id/retry", access: ANYONE_SIGNED_IN },
  { method: "GET", path: "/api/v1/notifications", access: ANYONE_SIGNED_IN },
  { method: "POST", path: "/api/v1/notifications/:id/read", access: ANYONE_SIGNED_IN },
  { method: "POST", path: "/api/v1/notifications", access: ["ADMIN"] },
  // Tutor chat (core shows sessions to their owner only; usage and policy narrowed to the course's managers)
  { method: "POST", path: "/api/v1/chat/sessions", access: ANYONE_SIGNED_IN },
  { method: "GET", path: "/api/v1/chat/sessions", access: ANYONE_SIGNED_IN },
  { method: "GET", path: "/api/v1/chat/sessions/:id", access: ANYONE_SIGNED_IN },
  { method: "DELETE", path: "/api/v1/chat/sessions/:id", access: ANYONE_SIGNED_IN },
  { method: "POST", path: "/api/v1/chat/sessions/:id/messages", access: ANYONE_SIGNED_IN },
  { method: "GET", path: "/api/v1/chat/sessions/:id/summary", access: ANYONE_SIGNED_IN },
  { method: "GET", path: "/api/v1/courses/:id/tutor-policy", access: ANYONE_SIGNED_IN },
  { method: "PUT", path: "/api/v1/courses/:id/tutor-policy", access: STAFF },
  { method: "GET", path: "/api/v1/usage", access: ANYONE_SIGNED_IN },
  // Documents and retrieval (core checks course membership; the upload URL's signature is its own credential)
  { method: "POST", path: "/api/v1/courses/:id/documents", access: STAFF },
  { method: "GET", path: "/api/v1/courses/:id/documents", access: ANYONE_SIGNED_IN },
  { method: "PUT", path: "/api/v1/uploads/:id", access: "public" },
  { method: "GET", path: "/api/v1/documents/:id", access: ANYONE_SIGNED_IN },
  { method: "DELETE", path: "/api/v1/documents/:id", access: STAFF },
  { method: "POST", path: "/api/v1/documents/:id/complete", access: STAFF },
  { method: "POST", path: "/api/v1/documents/:id/reindex", access: STAFF },
  { method: "POST", path: "/api/v1/search", access: ANYONE_SIGNED_IN },
  // Exams (issue 8; core narrows to the course's staff or enrolled students)
  { method: "POST", path: "/api/v1/courses/:id/exams", access: STAFF },
  { method: "GET", path: "/api/v1/courses/:id/exams", access: ANYONE_SIGNED_IN },
  { method: "GET", path: "/api/v1/exams/:id", access: ANYONE_SIGNED_IN },
  { method: "PATCH", path: "/api/v1/exams/:id", access: STAFF },
  { method: "POST", path: "/api/v1/exams/:id/items", access: STAFF },
  { method: "PATCH", path: "/api/v1/exams/:id/items/:itemId", access: STAFF },
  { method: "DELETE", path: "/api/v1/exams/:id/items/:itemId", access: STAFF },
  { method: "POST", path: "/api/v1/exams/:id/publish", access: STAFF },
  { method: "POST", path: "/api/v1/exams/:id/close", access: STAFF },
  { method: "POST", path: "/api/v1/exams/:id/release", access: STAFF },
  { method: "POST", path: "/api/v1/exams/:id/attempts", access: ANYONE_SIGNED_IN },
  { method: "PUT", path: "/api/v1/attempts/:id/answers", access: ANYONE_SIGNED_IN },
  { method: "POST", path: "/api/v1/attempts/:id/submit", access: ANYONE_SIGNED_IN },
  { method: "GET", path: "/api/v1/attempts/:id", access: ANYONE_SIGNED_IN },
  { method: "GET", path: "/api/v1/exams/:id/review", access: STAFF },
  { method: "POST", path: "/api/v1/answers/:id/override", access: STAFF },
  { method: "GET", path: "/api/v1/exams/:id/results", access: ANYONE_SIGNED_IN },
];

interface Compiled {
  policy: RoutePolicy;
  pattern: RegExp;
}

function compile(path: string): RegExp {
  const parts = path.split("/").map((segment) => {
    if (segment === "*") return ".*";
    if (segment.startsWith(":")) return "[^/]+";
    return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  });
  return new RegExp(`^${parts.join("/")}/?$`);
}

/** Finds the policy row for a request (first match wins); undefined means the route is not open to anyone. */
export function policyFor(
  method: string,
  path: string,
  table: readonly RoutePolicy[] = ROUTE_POLICY,
): RoutePolicy | undefined {
  const compiled = compiledTables.get(table) ??
    table.map((policy) => ({ policy, pattern: compile(policy.path) }));
  compiledTables.set(table, compiled);
  const m = method === "HEAD" ? "GET" : method;
  return compiled.find((c) => c.policy.method === m && c.pattern.test(path))?.policy;
}

const compiledTables = new WeakMap<readonly RoutePolicy[], Compiled[]>();
