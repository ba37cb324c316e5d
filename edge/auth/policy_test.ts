import assert from "node:assert/strict";
import { policyFor, ROUTE_POLICY } from "./policy.ts";

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
