/**
 * Test databases. Database-facing tests run on embedded PGlite always, and also on the real Postgres when
 * `DATABASE_URL` is set — there in a throwaway database made for this run, so runs never collide.
 */
import postgres from "postgres";
import { type Database, type DatabaseKind, openPglite, openPostgres } from "./client.ts";
import { migrateDatabase } from "./migrate.ts";

const postgresUrl = Deno.env.get("DATABASE_URL") || undefined;

/** The backends this run tests against. */
export const testBackends: DatabaseKind[] = postgresUrl ? ["pglite", "postgres"] : ["pglite"];

const shared = new Map<DatabaseKind, Promise<Database>>();
/** Throwaway databases this process created, by server URL: dropped when the process unloads. */
const created = new Map<string, string[]>();
let dropOnUnload = false;

/**
 * Drops this process's throwaway databases once its tests are done. `unload` handlers cannot wait for I/O, so a
 * detached process does the dropping (with `force`, as this process's pools may still hold connections). A run
 * that is killed leaves its databases behind; the sweep of old ones in `createThrowawayPostgres` removes them.
 */
function scheduleDrop(url: string, name: string): void {
  created.set(url, [...(created.get(url) ?? []), name]);
  if (dropOnUnload) return;
  dropOnUnload = true;
  globalThis.addEventListener("unload", () => {
    const script = new URL("./drop_test_databases.ts", import.meta.url).pathname;
    const config = new URL("../../deno.json", import.meta.url).pathname;
    for (const [server, names] of created) {
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", config, script, server, ...names],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn().unref();
    }
  });
}
let template: Promise<Database> | undefined;

function pgliteTemplate(): Promise<Database> {
  template ??= (async () => {
    const database = await openPglite("memory://");
    await migrateDatabase(database);
    return database;
  })();
  return template;
}

/** Creates an empty, migrated Postgres database for this run and returns its URL. */
export async function createThrowawayPostgres(url = postgresUrl!): Promise<string> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const stale = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like 'aiteacher_test_%'`;
    const cutoff = Date.now() - 6 * 3600_000;
    for (const { datname } of stale) {
      const ts = Number(datname.split("_")[2]);
      if (ts && ts < cutoff) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    }
    const name = `aiteacher_test_${Date.now()}_${crypto.randomUUID().slice(0, 8)}`;
    await admin.unsafe(`create database "${name}"`);
    scheduleDrop(url, name);
    const target = new URL(url);
    target.pathname = `/${name}`;
    return target.toString();
  } finally {
    await admin.end();
  }
}

/** The migrated database shared by this run's tests on one backend (tests keep their data apart by ids). */
export function sharedTestDatabase(kind: DatabaseKind): Promise<Database> {
  let db = shared.get(kind);
  if (!db) {
    db = kind === "pglite" ? pgliteTemplate().then(cloneOf) : (async () => {
      const url = await createThrowawayPostgres();
      const database = await openPostgres({ url, dataDir: "", poolMax: 5 });
      await migrateDatabase(database);
      return database;
    })();
    shared.set(kind, db);
  }
  return db;
}

/** A fresh, empty, migrated database the caller owns and must close. */
export async function freshTestDatabase(kind: DatabaseKind): Promise<Database> {
  if (kind === "pglite") return cloneOf(await pgliteTemplate());
  const url = await createThrowawayPostgres();
  const database = await openPostgres({ url, dataDir: "", poolMax: 5 });
  await migrateDatabase(database);
  return database;
}

function cloneOf(t: Database): Promise<Database> {
  // The template's PGlite client is reachable through drizzle's session; clone it for a cheap copy.
  // deno-lint-ignore no-explicit-any
  const client = (t.db as any).$client;
  return openPglite("memory://", client);
}

/** Registers a test once per backend, named `[pglite] …` / `[postgres] …`, on the shared test database. */
export function dbTest(name: string, fn: (database: Database) => Promise<void>): void {
  for (const kind of testBackends) {
    Deno.test({
      name: `[${kind}] ${name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => fn(await sharedTestDatabase(kind)),
    });
  }
}
