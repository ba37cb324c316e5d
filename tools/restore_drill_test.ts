/**
 * The backup → restore drill on the machine's real Postgres (never skipped): `DATABASE_URL`, or the default local
 * server when it is unset, as for Redis in the KV tests; an unreachable server fails the test with the reason.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { createAcademicWorld } from "../core/academics/testing.ts";
import { openPostgres } from "../shared/db/client.ts";
import { migrateDatabase } from "../shared/db/migrate.ts";
import { createThrowawayPostgres } from "../shared/db/testing.ts";
import { recordAudit } from "../shared/audit/audit.ts";
import { memoryLogger } from "../shared/logger.ts";
import { compareDatabases, runRestoreDrill } from "./restore_drill.ts";

const serverUrl = Deno.env.get("DATABASE_URL") || "postgres://postgres@127.0.0.1:5432/test";

async function dropDatabase(url: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${new URL(url).pathname.slice(1)}" with (force)`);
  } finally {
    await admin.end();
  }
}

Deno.test({
  name:
    "[deploy] a pg_dump backup restores into a new database with every table's rows and key checksums equal",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const sourceUrl = await createThrowawayPostgres(serverUrl).catch((err) => {
      throw new Error(`The restore drill needs a real Postgres at ${serverUrl} (set DATABASE_URL): ${err}`);
    });
    let restoredUrl: string | undefined;
    try {
      const database = await openPostgres({ url: sourceUrl, dataDir: "", poolMax: 2 });
      try {
        await migrateDatabase(database);
        await createAcademicWorld(database);
        await recordAudit(database.db, memoryLogger("core"), "core", { action: "drill.marker", target: "x" });
      } finally {
        await database.close();
      }

      const report = await runRestoreDrill({ sourceUrl, keep: true });
      restoredUrl = report.restoredUrl;
      assert.deepEqual(report.mismatches, []);
      assert.equal(report.ok, true);
      const byName = new Map(report.tables.map((t) => [t.table, t]));
      for (const table of ["users", "audit_events", "courses", "enrollments"]) {
        assert.ok((byName.get(table)?.sourceRows ?? 0) > 0, `${table} holds rows to compare`);
        assert.match(byName.get(table)?.restoredChecksum ?? "", /^[0-9a-f]{32}$/);
      }
      assert.ok(report.latestAuditEvent, "the restored audit trail has a newest event");
      assert.ok(Date.now() - Date.parse(report.latestAuditEvent!) < 3600_000);

      // The check the manual drill in deploy/README.md tells the operator to run works on the restored schema.
      const readme = await Deno.readTextFile(new URL("../deploy/README.md", import.meta.url));
      const drill = readme.slice(readme.indexOf("**Restore drill**"));
      const check = drill.match(/Check:\s+`(select [^`]+);`/)?.[1];
      assert.ok(check, "deploy/README.md names the drill's check query");
      const restoredSql = postgres(restoredUrl, { max: 1, onnotice: () => {} });
      try {
        const [row] = await restoredSql.unsafe(check);
        assert.ok(Object.values(row)[0], `${check} found the newest audit event`);
      } finally {
        await restoredSql.end();
      }

      // The comparison notices a restore that lost or changed data.
      const restored = postgres(restoredUrl, { max: 1, onnotice: () => {} });
      try {
        await restored`update users set display_name = 'changed' where id = (select id from users limit 1)`;
        await restored`delete from audit_events where action = 'drill.marker'`;
      } finally {
        await restored.end();
      }
      const tampered = await compareDatabases(sourceUrl, restoredUrl);
      assert.deepEqual(tampered.mismatches.sort(), ["audit_events", "users"]);
    } finally {
      if (restoredUrl) await dropDatabase(restoredUrl);
      await dropDatabase(sourceUrl);
    }
  },
});
