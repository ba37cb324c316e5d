/**
 * A throwaway, migrated Postgres database reached through a `TcpProxy`, so a test can take Postgres away (`cut`,
 * `stall`) and bring it back (`restore`) without touching the server. Needs DATABASE_URL (or `serverUrl`).
 */
import { type Database, type DatabaseConfig, openPostgres } from "../db/client.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { createThrowawayPostgres } from "../db/testing.ts";
import { TcpProxy } from "./tcp_proxy.ts";

export interface ProxiedPostgres {
  /** The database's URL through the proxy. */
  url: string;
  proxy: TcpProxy;
  database: Database;
  /** Closes the proxy and the database. */
  close(): Promise<void>;
}

/** Opens a new throwaway database through a new proxy with the pool settings given (production defaults if none). */
export async function proxiedPostgres(
  pool: Omit<DatabaseConfig, "url" | "readUrl" | "dataDir"> = {},
  serverUrl?: string,
): Promise<ProxiedPostgres> {
  const direct = new URL(await createThrowawayPostgres(serverUrl));
  const proxy = new TcpProxy({ hostname: direct.hostname, port: Number(direct.port || 5432) });
  const url = new URL(direct);
  url.host = `127.0.0.1:${proxy.port}`;
  const database = await openPostgres({ ...pool, url: url.toString(), dataDir: "" });
  const close = async () => {
    proxy.close();
    await database.close();
  };
  try {
    await migrateDatabase(database);
  } catch (error) {
    await close();
    throw error;
  }
  return { url: url.toString(), proxy, database, close };
}
