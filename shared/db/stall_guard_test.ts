import assert from "node:assert/strict";
import { TcpProxy } from "../testing/tcp_proxy.ts";
import { openPostgres, queryRows, sql } from "./client.ts";
import { createThrowawayPostgres } from "./testing.ts";
import { isDatabaseUnavailable } from "./unavailable.ts";

const databaseUrl = Deno.env.get("DATABASE_URL");

/** Resolves with how a promise ended and how long it took. */
async function settle(p: Promise<unknown>): Promise<{ ok: boolean; err?: unknown; ms: number }> {
  const started = performance.now();
  try {
    await p;
    return { ok: true, ms: performance.now() - started };
  } catch (err) {
    return { ok: false, err, ms: performance.now() - started };
  }
}

if (databaseUrl) {
  Deno.test({
    name:
      "[postgres] a database that accepts connections and never answers fails queries fast as unavailable, then recovers on its own",
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const url = new URL(await createThrowawayPostgres(databaseUrl));
      const proxy = new TcpProxy({ hostname: url.hostname, port: Number(url.port || 5432) });
      url.host = `127.0.0.1:${proxy.port}`;
      // The production defaults (pool of 10, 2 s connect timeout, the guard's defaults).
      const database = await openPostgres({ url: url.toString(), dataDir: "" });
      try {
        await Promise.all(Array.from({ length: 10 }, () => database.ping()));

        proxy.hold();
        // Twice the pool at once: ten wait on held connections, ten queue behind them.
        const first = await Promise.all(Array.from({ length: 20 }, () => settle(database.ping())));
        for (const r of first) {
          assert.equal(r.ok, false, "a query answered through a held connection");
          assert.ok(isDatabaseUnavailable(r.err), `not recognised as unavailable: ${r.err}`);
        }
        const slowest = Math.max(...first.map((r) => r.ms));
        // Suspect after 2 s, probe for up to 2 s, then every waiting query fails at once.
        assert.ok(slowest < 6_000, `the first queries waited ${Math.round(slowest)} ms`);

        // While it stays held, the breaker is open: queries fail at once, without waiting on a connection.
        const during = await Promise.all(Array.from({ length: 10 }, () => settle(database.ping())));
        for (const r of during) {
          assert.equal(r.ok, false);
          assert.equal((r.err as { code?: string }).code, "DATABASE_STALLED", String(r.err));
          assert.ok(r.ms < 500, `failed in ${Math.round(r.ms)} ms while the breaker was open`);
        }

        // Released: queries succeed again with no restart (after the open period and a probe).
        proxy.release();
        const deadline = Date.now() + 20_000;
        let ok = false;
        while (!ok && Date.now() < deadline) {
          ok = (await settle(database.ping())).ok;
          if (!ok) await new Promise((r) => setTimeout(r, 250));
        }
        assert.ok(ok, "queries did not recover once the database answered again");
        await Promise.all(Array.from({ length: 10 }, () => database.ping()));
      } finally {
        proxy.close();
        await database.close();
      }
    },
  });

  Deno.test({
    name: "[postgres] a slow query on a live database is left to run past the guard's suspicion",
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const url = await createThrowawayPostgres(databaseUrl);
      const states: string[] = [];
      const database = await openPostgres({
        url,
        dataDir: "",
        stallSuspectMs: 300,
        onStall: (s) => states.push(s),
      });
      try {
        // Ten times the suspicion: the probe is answered, so the guard does not end it.
        const [row] = await queryRows<{ one: number }>(database.db, sql`select pg_sleep(3), 1 as one`);
        assert.equal(row.one, 1);
        assert.deepEqual(states, [], "the breaker opened on a live database");
      } finally {
        await database.close();
      }
    },
  });

  Deno.test({
    name: "[postgres] a statement past statement_timeout is ended by the server and counts as unavailable",
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const url = await createThrowawayPostgres(databaseUrl);
      const database = await openPostgres({ url, dataDir: "", statementTimeoutMs: 300 });
      try {
        const r = await settle(queryRows(database.db, sql`select pg_sleep(3)`));
        assert.equal(r.ok, false);
        assert.ok(r.ms < 2_000, `ended after ${Math.round(r.ms)} ms`);
        assert.ok(isDatabaseUnavailable(r.err), String(r.err));
        // The connection is usable after the cancelled statement.
        await database.ping();
      } finally {
        await database.close();
      }
    },
  });
}
