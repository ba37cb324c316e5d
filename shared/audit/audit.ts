import type { Db } from "../db/client.ts";
import { auditEvents } from "../db/schema/audit.ts";
import { logContext, type Logger } from "../logger.ts";

/** One critical event: who did what to which target. */
export interface AuditEvent {
  action: string;
  userId?: string | null;
  /** What was acted on, e.g. `user:<id>`, `course:<id>`. */
  target?: string | null;
  metadata?: Record<string, unknown>;
}

/**
 * Records a critical event in the audit table and as a JSON log line (`msg: "audit"`), with the current request id.
 * Pass the transaction that made the change so the event commits (or rolls back) with it.
 */
export async function recordAudit(
  db: Db,
  logger: Logger,
  service: string,
  event: AuditEvent,
): Promise<void> {
  const requestId = logContext.getStore()?.requestId ?? null;
  await db.insert(auditEvents).values({
    service,
    userId: event.userId ?? null,
    action: event.action,
    target: event.target ?? null,
    metadata: event.metadata ?? {},
    requestId,
  });
  logger.info("audit", {
    audit: true,
    service,
    user_id: event.userId ?? null,
    action: event.action,
    target: event.target ?? null,
    metadata: event.metadata ?? {},
    request_id: requestId,
  });
}
