/**
 * Recognises the errors that mean "the database cannot be reached right now" (as opposed to a bad query): refused,
 * reset, timed-out or dropped connections from postgres.js and the runtime, and Postgres refusing connections while
 * it starts, stops or is full, a statement ended at `statement_timeout`, and a database that stopped answering
 * (the stall guard's `DATABASE_STALLED`). Drizzle wraps driver errors, so the `cause` chain is searched too.
 */
const CONNECTION_CODES = new Set([
  // The runtime's socket errors, as postgres.js passes them on.
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ENOTCONN",
  "EAI_AGAIN",
  // postgres.js's own.
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  // Postgres: shutting down, starting up, too many connections.
  "57P01",
  "57P02",
  "57P03",
  "53300",
  // Postgres ended a statement at `statement_timeout` (the database is too slow to answer in time).
  "57014",
  // The stall guard (stall_guard.ts): the database accepts connections but stopped answering.
  "DATABASE_STALLED",
]);
const CONNECTION_ERROR_NAMES = new Set([
  "ConnectionRefused",
  "ConnectionReset",
  "ConnectionAborted",
  "TimedOut",
]);

/** Seconds a client is asked to wait before trying again while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** True when `err` (or an error it wraps) says the database is unreachable rather than that a query was wrong. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (typeof code === "string" && (CONNECTION_CODES.has(code) || code.startsWith("08"))) return true;
    if (typeof name === "string" && CONNECTION_ERROR_NAMES.has(name)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
