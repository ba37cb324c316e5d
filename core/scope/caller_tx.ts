import { sql } from "drizzle-orm";
import type { Database, Db } from "../../shared/db/client.ts";
import type { Identity } from "../../shared/identity.ts";

/** The database role application queries run as; it does not bypass row-level security (see migrations). */
export const APP_DB_ROLE = "app_user";

/**
 * Runs `fn` in a transaction as the caller: sets `app.user_id` and `app.role` for this transaction only
 * (`set_config(..., true)`) and switches to the `app_user` role, so the row-level security policies apply even when
 * the connection's own role is a superuser or the tables' owner. Both settings end with the transaction, so pooled
 * connections (and PgBouncer in transaction mode) never carry one caller's identity into another's queries.
 */
export async function withCallerTx<T>(
  database: Database,
  caller: Pick<Identity, "userId" | "role">,
  fn: (tx: Db) => Promise<T>,
  options: {
    readOnly?: boolean;
    /** Runs first in the same transaction, as the connection's own role (no RLS): reads the caller may not make. */
    asOwner?: (tx: Db) => Promise<void>;
  } = {},
): Promise<T> {
  const db = options.readOnly ? database.read : database.db;
  return await db.transaction(async (tx) => {
    if (options.asOwner) await options.asOwner(tx as unknown as Db);
    // One statement: `set_config('role', …, true)` is `SET LOCAL ROLE`. Sent, not awaited before `fn` starts: the
    // transaction's connection is reserved and postgres.js pipelines its queries, so `fn`'s first query goes out
    // right behind this one instead of a round trip later, and Postgres runs them in the order sent: every query
    // of `fn` still runs with the settings and the role in force. If the settings fail, the transaction is
    // aborted, `fn`'s queries fail with it, and the settings' own error is the one thrown.
    const settings = Promise.resolve(tx.execute(
      sql`select set_config('app.user_id', ${caller.userId}, true), set_config('app.role', ${caller.role}, true),
        set_config('role', ${APP_DB_ROLE}, true)`,
    ));
    const result = fn(tx as unknown as Db);
    result.catch(() => {}); // thrown below, after the settings' own error if they failed
    await settings;
    return await result;
  });
}
