/** `deno task db:migrate`: applies pending migrations to DATABASE_URL, or to embedded PGlite under DATA_DIR. */
import { z } from "zod";
import { openDatabase } from "../shared/db/client.ts";
import { databaseConfig, databaseEnv } from "../shared/db/env.ts";
import { migrateDatabase } from "../shared/db/migrate.ts";
import { loadEnvOrExit } from "../shared/env.ts";

const env = loadEnvOrExit(z.object(databaseEnv));
const database = await openDatabase(databaseConfig(env));
try {
  await migrateDatabase(database);
  console.log(
    `Migrations applied (${database.kind === "pglite" ? `PGlite at ${env.DATA_DIR}` : "Postgres"}).`,
  );
} finally {
  await database.close();
}
