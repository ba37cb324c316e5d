import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import { type Database, type Db, queryRows } from "../../shared/db/client.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { withCallerTx } from "./caller_tx.ts";

/** A database whose transaction records when the settings are sent and answered, and when `fn` starts. */
function recordingDatabase(events: string[], settingsFail = false): Database {
  const tx = {
    execute: () => {
      events.push("settings sent");
      return new Promise((resolve, reject) =>
        setTimeout(() => {
          events.push("settings answered");
          settingsFail ? reject(new Error("set_config failed")) : resolve([]);
        }, 20)
      );
    },
  };
  const db = { transaction: (fn: (tx: unknown) => Promise<unknown>) => fn(tx) } as unknown as Db;
  return { db, read: db } as unknown as Database;
}

Deno.test("withCallerTx() sends the caller's first query right behind the settings, not a round trip later", async () => {
  const events: string[] = [];
  const out = await withCallerTx(recordingDatabase(events), { userId: "u", role: "STUDENT" }, () => {
    events.push("first query sent");
    return Promise.resolve(42);
  });
  assert.equal(out, 42);
  assert.deepEqual(events, ["settings sent", "first query sent", "settings answered"]);
});

Deno.test("withCallerTx() throws the settings' own error when they fail", async () => {
  const events: string[] = [];
  await assert.rejects(
    withCallerTx(recordingDatabase(events, true), { userId: "u", role: "STUDENT" }, async () => {
      await new Promise((r) => setTimeout(r, 30));
      throw new Error("current transaction is aborted");
    }),
    /set_config failed/,
  );
});

dbTest(
  "[core] withCallerTx(): the caller's queries run with the settings and the role in force",
  async (database) => {
    const [row] = await withCallerTx(
      database,
      { userId: "11111111-1111-4111-8111-111111111111", role: "STUDENT" },
      (tx) =>
        queryRows<Record<string, string>>(
          tx,
          sql`select current_setting('app.user_id', true) as user_id, current_setting('app.role', true) as role,
          current_user as db_role`,
        ),
    );
    assert.deepEqual(
      { userId: row.user_id, role: row.role, dbRole: row.db_role },
      { userId: "11111111-1111-4111-8111-111111111111", role: "STUDENT", dbRole: "app_user" },
    );
  },
);
