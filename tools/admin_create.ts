/**
 * `deno task admin:create --email admin@uni.edu [--name "Ada"]`: creates the first admin (or promotes an existing
 * account). The password comes from standard input (first line), so it stays out of shell history and `ps`.
 * The admin must enrol TOTP at first sign-in before doing anything else. With the embedded database, stop
 * `deno task dev` first: the data directory is locked by the process using it, and this fails at once, naming it.
 */
import { buildCoreServices } from "../core/main.ts";
import { loadCoreEnv } from "../core/env.ts";
import { createAdmin } from "../core/auth/accounts.ts";
import { openDatabase } from "../shared/db/client.ts";
import { DataDirLockedError } from "../shared/db/data_dir_lock.ts";
import { databaseConfig } from "../shared/db/env.ts";
import { migrateDatabase } from "../shared/db/migrate.ts";
import { AppError } from "../shared/errors.ts";

function argValue(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  if (i >= 0) return Deno.args[i + 1];
  return Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function readPassword(): Promise<string> {
  if (Deno.stdin.isTerminal()) {
    Deno.stdout.writeSync(new TextEncoder().encode("Password (input is shown; pipe it in to hide it): "));
  }
  const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  reader.releaseLock();
  return text.split("\n")[0].replace(/\r$/, "");
}

const email = argValue("email");
if (!email) {
  console.error(
    'Usage: echo "$PASSWORD" | deno task admin:create --email admin@example.edu [--name "Display Name"]',
  );
  Deno.exit(2);
}
const env = loadCoreEnv();
let database;
try {
  database = await openDatabase(databaseConfig(env));
} catch (err) {
  if (!(err instanceof DataDirLockedError)) throw err;
  // The embedded database belongs to a running `deno task dev`: writing beside it would be lost.
  console.error(`admin:create failed: ${err.message}`);
  Deno.exit(1);
}
try {
  if (env.MIGRATE_ON_START) await migrateDatabase(database);
  const services = buildCoreServices(env, database);
  const { user, created } = await createAdmin(services, {
    email,
    password: await readPassword(),
    displayName: argValue("name"),
  });
  console.log(`${created ? "Created" : "Promoted"} admin ${user.email} (${user.id}).`);
} catch (err) {
  if (err instanceof AppError) {
    console.error(`admin:create failed: ${err.message}`);
    Deno.exitCode = 1;
  } else throw err;
} finally {
  await database.close();
}
