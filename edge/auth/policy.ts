/**
 * The edge's route policy: which `/api/v1` routes are public, which roles may call the others, their rate-limit
 * class and cacheability. Generated, not hand-kept: core declares each route's contract with its definition and
 * `deno task api:generate` writes `shared/api/manifest.json` (checked current by `tools/api/generate_test.ts`); the
 * edge reads that file and adds the few routes it answers itself. A route that is not listed is refused (401
 * without a token, 403 with one). Core checks roles again from the signed assertion.
 */
import manifest from "../../shared/api/manifest.json" with { type: "json" };
import type { Access, ApiManifest, ManifestRoute } from "../../shared/api/contract.ts";

export type { Access };

/** One row of the policy table (`path`: `:name` matches one segment, a trailing `*` matches the rest). */
export type RoutePolicy = ManifestRoute;

/** Routes the edge answers itself, without core. */
export const EDGE_ROUTES: readonly RoutePolicy[] = [
  { method: "GET", path: "/api/v1/openapi.json", access: "public", cache: "public" },
];

/** The route policy table: the edge's own routes, then core's from the manifest. */
export const ROUTE_POLICY: readonly RoutePolicy[] = [...EDGE_ROUTES, ...(manifest as ApiManifest).routes];

/** POST paths whose answers the edge may cache (keyed by body too) when core marks them cacheable. */
export const CACHEABLE_POST_PATHS: readonly string[] = ROUTE_POLICY
  .filter((r) => r.method === "POST" && r.cache === "scoped" && !r.path.includes(":"))
  .map((r) => r.path);

interface Compiled {
  policy: RoutePolicy;
  pattern: RegExp;
}

/** A table ready to search: its rows' patterns, and the answer for each exact path a row names. */
interface CompiledTable {
  rows: Compiled[];
  /** `METHOD path` → the first matching row, for the paths without parameters (most requests): no scan. */
  exact: Map<string, RoutePolicy | undefined>;
}

function compile(path: string): RegExp {
  const parts = path.split("/").map((segment) => {
    if (segment === "*") return ".*";
    if (segment.startsWith(":")) return "[^/]+";
    return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  });
  return new RegExp(`^${parts.join("/")}/?$`);
}

function scan(rows: Compiled[], method: string, path: string): RoutePolicy | undefined {
  return rows.find((c) => c.policy.method === method && c.pattern.test(path))?.policy;
}

function compileTable(table: readonly RoutePolicy[]): CompiledTable {
  const rows = table.map((policy) => ({ policy, pattern: compile(policy.path) }));
  const exact = new Map<string, RoutePolicy | undefined>();
  for (const { policy } of rows) {
    if (policy.path.includes(":") || policy.path.includes("*")) continue;
    // The same first-match scan as any other path, done once: an earlier parameterised row still wins.
    for (const path of [policy.path, `${policy.path}/`]) {
      exact.set(`${policy.method} ${path}`, scan(rows, policy.method, path));
    }
  }
  return { rows, exact };
}

/** Finds the policy row for a request (first match wins); undefined means the route is not open to anyone. */
export function policyFor(
  method: string,
  path: string,
  table: readonly RoutePolicy[] = ROUTE_POLICY,
): RoutePolicy | undefined {
  let compiled = compiledTables.get(table);
  if (!compiled) compiledTables.set(table, compiled = compileTable(table));
  const m = method === "HEAD" ? "GET" : method;
  const key = `${m} ${path}`;
  return compiled.exact.has(key) ? compiled.exact.get(key) : scan(compiled.rows, m, path);
}

const compiledTables = new WeakMap<readonly RoutePolicy[], CompiledTable>();
