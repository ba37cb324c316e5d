import assert from "node:assert/strict";
import { createCoreApp } from "../../core/app.ts";
import { testCoreServices } from "../../core/auth/testing.ts";
import type { Database } from "../../shared/db/client.ts";
import { EDGE_ROUTES, policyFor, ROUTE_POLICY } from "./policy.ts";

Deno.test("every core /v1 route is in the generated manifest with an access policy", () => {
  // Building the app does no I/O, so no database is needed to list its routes.
  const app = createCoreApp(testCoreServices({} as Database));
  const missing = app.routes
    .filter((r) => r.method !== "ALL" && r.path.startsWith("/v1/"))
    .map((r) => ({ method: r.method, path: `/api${r.path.replace(/:[A-Za-z0-9_]+/g, "sample")}` }))
    .filter((r) => !policyFor(r.method, r.path))
    .map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(
    missing,
    [],
    "declare ...contract({ access }) on these routes and run `deno task api:generate`",
  );
});

Deno.test("every route of the manifest is a core route, so the edge opens nothing core does not serve", () => {
  const app = createCoreApp(testCoreServices({} as Database));
  const core = new Set(
    app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} /api${r.path}`),
  );
  const extra = ROUTE_POLICY.filter((r) => !EDGE_ROUTES.includes(r))
    .map((r) => `${r.method} ${r.path}`)
    .filter((r) => !core.has(r));
  assert.deepEqual(extra, []);
});
