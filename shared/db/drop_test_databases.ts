/**
 * Drops the named throwaway test databases: `deno run -A shared/db/drop_test_databases.ts <url> <name>...`.
 * Started by `shared/db/testing.ts` as a detached process when a test module's process unloads (an unload handler
 * cannot wait for network calls), so each run removes what it created.
 */
import postgres from "postgres";

const [url, ...names] = Deno.args;
if (!url) throw new Error("Usage: drop_test_databases.ts <postgres url> <database name>...");
const admin = postgres(url, { max: 1, onnotice: () => {} });
try {
  for (const name of names) {
    if (!/^aiteacher_test_[0-9]+_[0-9a-f]{8}$/.test(name)) throw new Error(`Not a test database: "${name}"`);
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
  }
} finally {
  await admin.end();
}
