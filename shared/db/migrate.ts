import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { Database } from "./client.ts";

/** Where drizzle-kit writes the SQL migrations, relative to the repository root. */
export const MIGRATIONS_FOLDER = new URL("../../migrations", import.meta.url).pathname;

/** Applies every pending migration; running it twice is a no-op (drizzle records what it applied). */
export async function migrateDatabase(database: Database): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  // deno-lint-ignore no-explicit-any
  if (database.kind === "pglite") await migratePglite(database.db as any, config);
  // deno-lint-ignore no-explicit-any
  else await migratePostgres(database.db as any, config);
}
