import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import { queryRows } from "./client.ts";
import { migrateDatabase } from "./migrate.ts";
import { dbTest } from "./testing.ts";

dbTest("migrations apply, and applying them again is a no-op", async (database) => {
  const count = async () =>
    (await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
    ))[0]
      .n;
  const before = await count();
  assert.ok(before >= 1);
  await migrateDatabase(database);
  await migrateDatabase(database);
  assert.equal(await count(), before);
});

dbTest("every relational table carries created_at, updated_at and deleted_at", async (database) => {
  const rows = await queryRows<{ table_name: string; cols: string[] }>(
    database.db,
    sql`select table_name, array_agg(column_name::text) as cols from information_schema.columns
        where table_schema = 'public' group by table_name`,
  );
  const appendOnly = new Set(["audit_events"]);
  // Derived statistics, rewritten with their document's chunks and never edited or soft-deleted on their own.
  const derived = new Set(["document_terms"]);
  assert.ok(rows.length > 0);
  for (const { table_name, cols } of rows) {
    if (appendOnly.has(table_name) || derived.has(table_name) || table_name.startsWith("pgvector_")) continue;
    for (const col of ["created_at", "updated_at", "deleted_at"]) {
      assert.ok(cols.includes(col), `${table_name} lacks ${col}`);
    }
  }
});

dbTest("every foreign key is covered by an index", async (database) => {
  const missing = await queryRows<{ fk: string }>(
    database.db,
    sql`select c.conrelid::regclass::text || '.' || a.attname as fk
        from pg_constraint c
        join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
        where c.contype = 'f' and c.connamespace = 'public'::regnamespace
          and not exists (
            select 1 from pg_index i
            where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1]
          )`,
  );
  assert.deepEqual(missing, []);
});

dbTest("ping() answers when the database is up", async (database) => {
  await database.ping();
});
