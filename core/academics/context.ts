import type { Db } from "../../shared/db/client.ts";
import { type AuditEvent, recordAudit } from "../../shared/audit/audit.ts";
import type { Identity } from "../../shared/identity.ts";
import { withCallerTx } from "../scope/caller_tx.ts";
import { resolveScope, type Scope } from "../scope/scope.ts";
import type { CoreServices } from "../services.ts";

/** What academic domain functions work with: the caller's transaction (RLS active), scope and audit. */
export interface ScopedContext {
  tx: Db;
  scope: Scope;
  caller: Identity;
  /** Records an audit event by the caller inside the same transaction. */
  audit(event: Omit<AuditEvent, "userId">): Promise<void>;
}

/** Runs `fn` in the caller's transaction (as `app_user`, with their settings) with their scope resolved. */
export function runScoped<T>(
  services: Pick<CoreServices, "database" | "logger">,
  caller: Identity,
  fn: (ctx: ScopedContext) => Promise<T>,
  options: { readOnly?: boolean } = {},
): Promise<T> {
  return withCallerTx(services.database, caller, async (tx) => {
    const scope = await resolveScope(tx, caller);
    return fn({
      tx,
      scope,
      caller,
      audit: (event) => recordAudit(tx, services.logger, "core", { ...event, userId: caller.userId }),
    });
  }, options);
}

/** ISO string of a timestamp column value (null stays null). */
export function iso(value: Date | null): string | null {
  return value ? value.toISOString() : null;
}
