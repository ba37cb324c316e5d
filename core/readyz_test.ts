import assert from "node:assert/strict";
import { parseEnv } from "../shared/env.ts";
import { proxiedPostgres } from "../shared/testing/proxied_postgres.ts";
import { createCoreApp } from "./app.ts";
import { coreEnvSchema } from "./env.ts";
import { buildCoreServices } from "./main.ts";

const databaseUrl = Deno.env.get("DATABASE_URL");

// This behaviour exists only with a real Postgres server to lose; CI always sets DATABASE_URL.
if (databaseUrl) {
  Deno.test({
    name: "[postgres] core /readyz turns 503 when Postgres goes away and recovers without a restart",
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const { url, proxy, database, close } = await proxiedPostgres(
        { connectTimeoutSeconds: 1 },
        databaseUrl,
      );
      const env = parseEnv(coreEnvSchema, { DATABASE_URL: url, DATABASE_CONNECT_TIMEOUT_SECONDS: "1" });
      try {
        const app = createCoreApp(buildCoreServices(env, database));
        assert.equal((await app.request("/readyz")).status, 200);

        proxy.cut();
        const down = await app.request("/readyz");
        assert.equal(down.status, 503);
        const body = await down.json();
        assert.equal(body.error.code, "UNAVAILABLE");
        assert.match(body.error.message, /database/);
        assert.equal((await app.request("/healthz")).status, 200, "liveness does not depend on the database");

        proxy.restore();
        let status = 0;
        for (let i = 0; i < 50 && status !== 200; i++) {
          status = (await app.request("/readyz")).status;
          if (status !== 200) await new Promise((r) => setTimeout(r, 200));
        }
        assert.equal(status, 200, "ready again once Postgres is back");
      } finally {
        await close();
      }
    },
  });
}
