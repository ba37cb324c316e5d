import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { type SQL, sql } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema/mod.ts";
import { type DataDirLock, lockDataDir } from "./data_dir_lock.ts";
import { StallGuard } from "./stall_guard.ts";
import { DATABASE_RETRY_AFTER_SECONDS } from "./unavailable.ts";

/** The drizzle database type both drivers satisfy. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Which engine a database handle runs on. */
export type DatabaseKind = "pglite" | "postgres";

/** An open database: a writer, a reader (the replica when configured), and lifecycle. */
export interface Database {
  kind: DatabaseKind;
  /** Primary: every write and every read that must see its own writes. */
  db: Db;
  /** Read-only queries; the replica when `READ_DATABASE_URL` is set, else the primary. */
  read: Db;
  /** Whether pgvector is available in this database. */
  hasVector: boolean;
  /** Resolves when the primary answers `select 1`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** How to open the database; `url` unset means embedded PGlite under `dataDir`. */
export interface DatabaseConfig {
  url?: string;
  readUrl?: string;
  /** PGlite directory; `memory://` keeps it in memory. */
  dataDir: string;
  poolMax?: number;
  /** Set false behind PgBouncer in transaction mode. */
  prepare?: boolean;
  idleTimeoutSeconds?: number;
  connectTimeoutSeconds?: number;
  /** Server-side `statement_timeout` of every connection (ms); 0: none. */
  statementTimeoutMs?: number;
  /** A reply outstanding this long makes the stall guard probe the server (ms; `stall_guard.ts`); 0: no guard. */
  stallSuspectMs?: number;
  /** Told when the stall guard's breaker opens (the database stopped answering) and closes again. */
  onStall?: (state: "open" | "closed") => void;
  /** Told of every statement the primary's pool sends (its connection's number and text): tests count round trips. */
  onQuery?: (connection: number, query: string) => void;
}

/** Opens Postgres (postgres.js) when a URL is given, else PGlite with pgvector on disk. */
export function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.url) return openPostgres(config);
  return openPglite(config.dataDir);
}

/** Opens an embedded PGlite database with the pgvector extension loaded. */
export async function openPglite(dataDir: string, from?: PGlite): Promise<Database> {
  const onDisk = !from && !dataDir.startsWith("memory://");
  let lock: DataDirLock | undefined;
  if (onDisk) {
    await Deno.mkdir(dataDir, { recursive: true });
    // One process per directory: a second opener fails here at once, naming the holder.
    lock = lockDataDir(dataDir);
  }
  let client: PGlite;
  try {
    client = (from ? await from.clone() : await PGlite.create({ dataDir, extensions: { vector } })) as PGlite;
    await client.exec("create extension if not exists vector");
  } catch (err) {
    lock?.release();
    throw err;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    kind: "pglite",
    db,
    read: db,
    hasVector: true,
    ping: async () => {
      await client.query("select 1");
    },
    close: async () => {
      try {
        if (!client.closed) await client.close();
      } finally {
        lock?.release();
        lock = undefined;
      }
    },
  };
}

/** Opens Postgres through postgres.js, with an optional read replica. */
export async function openPostgres(config: DatabaseConfig): Promise<Database> {
  const connectTimeout = config.connectTimeoutSeconds ?? 2;
  const statementTimeoutMs = config.statementTimeoutMs ?? 30_000;
  const suspectAfterMs = config.stallSuspectMs ?? 2_000;
  const probes: ReturnType<typeof postgres>[] = [];
  /** A guard per pool; its probe asks the same server for `select 1` on a connection of its own (not guarded). */
  const guardFor = (url: string) => {
    if (suspectAfterMs <= 0) return undefined;
    let probe: ReturnType<typeof postgres> | undefined;
    return new StallGuard({
      suspectAfterMs,
      probeTimeoutMs: connectTimeout * 1000,
      openMs: DATABASE_RETRY_AFTER_SECONDS * 1000,
      hardTimeoutMs: statementTimeoutMs > 0 ? statementTimeoutMs + 5_000 : 0,
      probe: async () => {
        if (!probe) {
          probe = postgres(url, {
            max: 1,
            prepare: false,
            idle_timeout: 5,
            connect_timeout: connectTimeout,
            backoff: () => 0,
            onnotice: () => {},
          });
          probes.push(probe);
        }
        const client = probe;
        try {
          await client`select 1`;
        } catch (err) {
          // A failed probe's connection may be the stuck one: the next probe starts afresh.
          if (probe === client) probe = undefined;
          client.end({ timeout: 0 }).catch(() => {});
          throw err;
        }
      },
      onChange: (state) => config.onStall?.(state),
    });
  };
  const guards: StallGuard[] = [];
  const options = (url: string, max: number, onQuery?: DatabaseConfig["onQuery"]) => {
    const guard = guardFor(url);
    if (guard) guards.push(guard);
    return postgres(url, {
      max,
      prepare: config.prepare ?? true,
      idle_timeout: config.idleTimeoutSeconds ?? 30,
      connect_timeout: connectTimeout,
      // Reconnect at once after a failed connect. postgres.js's default backoff grows with every failure (3^n / 100
      // s, up to 20 s) and a queued query waits for its connection's next try, so during an outage requests queued
      // behind the pool hung for tens of seconds instead of failing fast with 503; each try fails one waiting
      // query, and none is made while nothing waits.
      backoff: () => 0,
      onnotice: () => {},
      ...(onQuery ? { debug: (connection: number, query: string) => onQuery(connection, query) } : {}),
      // A runaway statement is ended by the server; a server that stops answering, by the stall guard.
      ...(statementTimeoutMs > 0 ? { connection: { statement_timeout: statementTimeoutMs } } : {}),
      ...(guard
        ? {
          socket: (o: { host: string[]; port: number[]; path?: string }) =>
            guard.connect({ host: o.host[0], port: o.port[0], path: o.path || undefined }),
        }
        : {}),
    });
  };
  const primary = options(config.url!, config.poolMax ?? 10, config.onQuery);
  const replica = config.readUrl ? options(config.readUrl, config.poolMax ?? 10) : undefined;
  const db = drizzlePostgres(primary, { schema }) as unknown as Db;
  const read = replica ? drizzlePostgres(replica, { schema }) as unknown as Db : db;
  let hasVector = false;
  try {
    const rows = await primary`select 1 from pg_available_extensions where name = 'vector'`;
    hasVector = rows.length > 0;
  } catch {
    // Unreachable at start: readiness reports it; pgvector is checked again by the vector store when used.
  }
  return {
    kind: "postgres",
    db,
    read,
    hasVector,
    ping: async () => {
      await primary`select 1`;
    },
    close: async () => {
      await primary.end({ timeout: 5 });
      await replica?.end({ timeout: 5 });
      for (const guard of guards) guard.close();
      await Promise.all(probes.map((p) => p.end({ timeout: 1 }).catch(() => {})));
    },
  };
}

/** Whether a database error is a unique violation (SQLSTATE 23505), whichever driver raised it. */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

/** Runs raw SQL and returns its rows, whichever driver is underneath. */
export async function queryRows<T = Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  // deno-lint-ignore no-explicit-any
  const result: any = await db.execute(query);
  return (Array.isArray(result) ? Array.from(result) : result.rows) as T[];
}

export { schema, sql };
