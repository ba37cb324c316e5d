import assert from "node:assert/strict";
import { proxiedPostgres } from "../tools/testing/proxied_postgres.ts";
import { callerHeaders, createTestUser, testCoreServices } from "./auth/testing.ts";
import { createCheckedCoreApp } from "./testing_contract.ts";

const databaseUrl = Deno.env.get("DATABASE_URL");

if (databaseUrl) {
  Deno.test({
    name:
      "[postgres] core answers 503 with Retry-After at once while Postgres is cut, and 200 once it is back",
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      // The production defaults of the pool (no test-only timeouts).
      const { proxy, database, close } = await proxiedPostgres({}, databaseUrl);
      try {
        const services = testCoreServices(database);
        const app = createCheckedCoreApp(services);
        const user = await createTestUser(database);
        const me = async () =>
          await app.request("/v1/me", { headers: await callerHeaders(services, user, "GET", "/v1/me") });
        assert.equal((await me()).status, 200);

        // Refused connections: 40 requests at once, four times the pool, as under load (postgres.js's growing
        // reconnect backoff held the ones queued behind the pool for 30-50 s). A silent network (connects time
        // out): as many requests as the pool has connections, each waiting one connect timeout (2 s).
        for (const [mode, concurrent] of [["refused", 40], ["silent", 8]] as const) {
          if (mode === "refused") proxy.cut();
          else proxy.stall();
          const started = performance.now();
          const answers = await Promise.all(Array.from({ length: concurrent }, () => me()));
          const elapsed = performance.now() - started;
          for (const res of answers) {
            const body = await res.json();
            assert.equal(res.status, 503, `${mode}: ${JSON.stringify(body)}`);
            assert.equal(body.error.code, "UNAVAILABLE");
            assert.match(res.headers.get("retry-after") ?? "", /^\d+$/, mode);
          }
          assert.ok(elapsed < 5000, `${mode}: answered in ${Math.round(elapsed)} ms`);

          proxy.restore();
          let status = 0;
          for (let i = 0; i < 50 && status !== 200; i++) {
            status = (await me()).status;
            if (status !== 200) await new Promise((r) => setTimeout(r, 200));
          }
          assert.equal(status, 200, `${mode}: answers again once Postgres is back, with no restart`);
        }
      } finally {
        await close();
      }
    },
  });
}
