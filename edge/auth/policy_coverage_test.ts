import assert from "node:assert/strict";
import { createCoreApp } from "../../core/app.ts";
import { testCoreServices } from "../../core/auth/testing.ts";
import type { Database } from "../../shared/db/client.ts";
import { policyFor } from "./policy.ts";

Deno.test("every core /v1 route has a row in the edge's route policy table", () => {
  // Building the app does no I/O, so no database is needed to list its routes.
  const app = createCoreApp(testCoreServices({} as Database));
  const missing = app.routes
    .filter((r) => r.method !== "ALL" && r.path.startsWith("/v1/"))
    .map((r) => ({ method: r.method, path: `/api${r.path.replace(/:[A-Za-z0-9_]+/g, "sample")}` }))
    .filter((r) => !policyFor(r.method, r.path))
    .map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(missing, [], "add these routes to ROUTE_POLICY in edge/auth/policy.ts");
});
