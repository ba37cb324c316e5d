import assert from "node:assert/strict";
import { openPostgres } from "../shared/db/client.ts";
import { migrateDatabase } from "../shared/db/migrate.ts";
import { createThrowawayPostgres } from "../shared/db/testing.ts";
import { parseEnv } from "../shared/env.ts";
import { TcpProxy } from "../tools/testing/tcp_proxy.ts";
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
      const url = new URL(await createThrowawayPostgres(databaseUrl));
      const proxy = new TcpProxy({ hostname: url.hostname, port: Number(url.port || 5432) });
      url.host = `127.0.0.1:${proxy.port}`;
      const env = parseEnv(coreEnvSchema, {
        DATABASE_URL: url.toString(),
        DATABASE_CONNECT_TIMEOUT_SECONDS: "1",
      });
      const database = await openPostgres({ url: env.DATABASE_URL, dataDir: "", connectTimeoutSeconds: 1 });
      try {
        await migrateDatabase(database);
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
        proxy.close();
        await database.close();
      }
    },
  });
}
