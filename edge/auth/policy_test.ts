import assert from "node:assert/strict";
import { policyFor, ROUTE_POLICY, type RoutePolicy } from "./policy.ts";

Deno.test("policyFor() matches parameters and methods, and leaves unlisted routes without a policy", () => {
  assert.equal(policyFor("POST", "/api/v1/auth/login")?.access, "public");
  assert.deepEqual(policyFor("PATCH", `/api/v1/users/${crypto.randomUUID()}/role`)?.access, ["ADMIN"]);
  assert.equal(policyFor("GET", "/api/v1/users/x/role"), undefined);
  assert.equal(policyFor("PATCH", "/api/v1/users/a/b/role"), undefined);
  assert.equal(policyFor("GET", "/api/v1/secret-admin-thing"), undefined);
  assert.equal(policyFor("HEAD", "/api/v1/me")?.path, "/api/v1/me");
});

Deno.test("every row of the route policy is reachable and unique", () => {
  const seen = new Set<string>();
  for (const row of ROUTE_POLICY) {
    const key = `${row.method} ${row.path}`;
    assert.ok(!seen.has(key), `duplicate policy row ${key}`);
    seen.add(key);
    assert.ok(row.path.startsWith("/api/v1/"), key);
  }
});

Deno.test("policyFor() answers exact paths from its index as the first-match scan would", () => {
  // An earlier parameterised row must still win over a later exact one.
  const table = [
    { method: "GET", path: "/api/v1/things/:id", access: ["ADMIN"] },
    { method: "GET", path: "/api/v1/things/mine", access: "public" },
    { method: "GET", path: "/api/v1/other", access: ["STUDENT"] },
  ] as const satisfies readonly RoutePolicy[];
  assert.deepEqual(policyFor("GET", "/api/v1/things/mine", table)?.access, ["ADMIN"]);
  assert.deepEqual(policyFor("GET", "/api/v1/things/mine/", table)?.access, ["ADMIN"]);
  assert.deepEqual(policyFor("HEAD", "/api/v1/other/", table)?.access, ["STUDENT"]);
  assert.equal(policyFor("POST", "/api/v1/other", table), undefined);
  assert.equal(policyFor("GET", "/api/v1/other/x", table), undefined);
  // The real table: every row's own path finds the row a plain scan finds.
  for (const row of ROUTE_POLICY) {
    const path = row.path.replaceAll(/:[^/]+/g, "x").replace(/\*$/, "x");
    const scanned = ROUTE_POLICY.find((r) =>
      r.method === row.method &&
      new RegExp(`^${r.path.replaceAll(/:[^/]+/g, "[^/]+").replace(/\*$/, ".*")}/?$`).test(path)
    );
    assert.equal(policyFor(row.method, path), scanned, `${row.method} ${path}`);
  }
});
