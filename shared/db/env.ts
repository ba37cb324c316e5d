import { z } from "zod";
import { envTypes } from "../env.ts";
import type { DatabaseConfig } from "./client.ts";

/** Database variables shared by core and workers (the edge never touches the database). */
export const databaseEnv = {
  /** Postgres URL; unset means embedded PGlite under DATA_DIR. */
  DATABASE_URL: z.url().optional(),
  /** Read replica for read-only queries; unset means the primary serves reads too. */
  READ_DATABASE_URL: z.url().optional(),
  /** Where embedded state lives (PGlite, keys, uploads). */
  DATA_DIR: z.string().default(".data"),
  DATABASE_POOL_MAX: envTypes.int(10, 1),
  /** false behind PgBouncer in transaction mode (no named prepared statements). */
  DATABASE_PREPARE: envTypes.bool(true),
  DATABASE_IDLE_TIMEOUT_SECONDS: envTypes.int(30),
  /** How long a new connection may take before the request fails with 503 (the database is unreachable). */
  DATABASE_CONNECT_TIMEOUT_SECONDS: envTypes.int(2, 1),
  /** Server-side `statement_timeout` of every connection, ms (the statement fails, the request answers 503); 0: none. */
  DATABASE_STATEMENT_TIMEOUT_MS: envTypes.int(30_000),
  /**
   * A reply outstanding this long makes the stall guard ask the server, on a connection of its own, whether it still
   * answers; unanswered, queries fail at once with 503 until it does (`shared/db/stall_guard.ts`). 0: no guard.
   */
  DATABASE_STALL_SUSPECT_MS: envTypes.int(2_000),
  /** Apply pending migrations when the process starts. */
  MIGRATE_ON_START: envTypes.bool(true),
};

/** The parsed database variables. */
export interface DatabaseEnv {
  DATABASE_URL?: string;
  READ_DATABASE_URL?: string;
  DATA_DIR: string;
  DATABASE_POOL_MAX: number;
  DATABASE_PREPARE: boolean;
  DATABASE_IDLE_TIMEOUT_SECONDS: number;
  DATABASE_CONNECT_TIMEOUT_SECONDS: number;
  DATABASE_STATEMENT_TIMEOUT_MS: number;
  DATABASE_STALL_SUSPECT_MS: number;
  MIGRATE_ON_START: boolean;
}

/** Turns parsed variables into the database layer's configuration. */
export function databaseConfig(env: DatabaseEnv): DatabaseConfig {
  return {
    url: env.DATABASE_URL,
    readUrl: env.READ_DATABASE_URL,
    dataDir: `${env.DATA_DIR}/pglite`,
    poolMax: env.DATABASE_POOL_MAX,
    prepare: env.DATABASE_PREPARE,
    idleTimeoutSeconds: env.DATABASE_IDLE_TIMEOUT_SECONDS,
    connectTimeoutSeconds: env.DATABASE_CONNECT_TIMEOUT_SECONDS,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    stallSuspectMs: env.DATABASE_STALL_SUSPECT_MS,
  };
}
