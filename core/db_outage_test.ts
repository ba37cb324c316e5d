import assert from "node:assert/strict";
import { proxiedPostgres } from "../shared/testing/proxied_postgres.ts";
import { callerHeaders, createTestUser, testCoreServices } from "./auth/testing.ts";
import { createCheckedCoreApp } from "./testing_contract.ts";

const databaseUrl = Deno.env.get("DATABASE_URL");

if (databaseUrl) {
  Deno.test({
    name:
      "[postgres] core answers 503 with Retry-After at once while Postgres is cut, silent or stalled, and 200 once it is back",
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
        // out): as many requests as the pool has connections, each waiting one connect timeout (2 s). A held
        // database (connections stay open, nothing is answered): twice the pool, failed by the stall guard once
        // its probe goes unanswered (2 s + 2 s); before it, these requests waited for as long as the hold lasted.
        for (
          const [mode, concurrent, limitMs] of [["refused", 40, 5000], ["silent", 8, 5000], [
            "held",
            20,
            6000,
          ]] as const
        ) {
          if (mode === "refused") proxy.cut();
          else if (mode === "silent") proxy.stall();
          else proxy.hold();
          const started = performance.now();
          const answers = await Promise.all(Array.from({ length: concurrent }, () => me()));
          const elapsed = performance.now() - started;
          for (const res of answers) {
            const body = await res.json();
            assert.equal(res.status, 503, `${mode}: ${JSON.stringify(body)}`);
            assert.equal(body.error.code, "UNAVAILABLE");
            assert.match(res.headers.get("retry-after") ?? "", /^\d+$/, mode);
          }
          assert.ok(elapsed < limitMs, `${mode}: answered in ${Math.round(elapsed)} ms`);
          if (mode === "held") {
            // Still held: the breaker is open, so requests fail at once instead of waiting again.
            const started = performance.now();
            const res = await me();
            await res.body?.cancel();
            assert.equal(res.status, 503);
            assert.ok(
              performance.now() - started < 1000,
              "held: a request waited while the breaker was open",
            );
          }

          proxy.release();
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
