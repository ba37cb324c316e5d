/** Reading the audit trail (admins). */
import { and, eq, getTableColumns, gte, lt } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import { auditEvents } from "../../shared/db/schema/audit.ts";
import { errors } from "../../shared/errors.ts";
import { iso, type ScopedContext } from "../academics/context.ts";
import { afterCursor, orderOf, pageOf, resolveSort, sortKeyOf } from "../academics/pagination.ts";

/** An audit event as the API returns it. */
export const AuditEntry = z.object({
  id: z.uuid(),
  timestamp: z.string(),
  service: z.string(),
  userId: z.uuid().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  requestId: z.string().nullable(),
}).openapi("AuditEntry");

const SORTS = { timestamp: { column: auditEvents.timestamp, type: "timestamptz" } } as const;

/** Lists audit events newest first by cursor, filtered by actor, action and time range `[from, to)`. */
export async function listAudit(
  ctx: ScopedContext,
  query: {
    limit: number;
    cursor?: string;
    sort?: string;
    userId?: string;
    action?: string;
    target?: string;
    from?: string;
    to?: string;
  },
): Promise<{ items: z.infer<typeof AuditEntry>[]; nextCursor: string | null }> {
  if (!ctx.scope.isAdmin) throw errors.forbidden("Only admins read the audit trail");
  const sort = resolveSort(SORTS, query.sort, "-timestamp");
  const rows = await ctx.tx.select({ ...getTableColumns(auditEvents), sortKey: sortKeyOf(sort) }).from(
    auditEvents,
  )
    .where(and(
      query.userId ? eq(auditEvents.userId, query.userId) : undefined,
      query.action ? eq(auditEvents.action, query.action) : undefined,
      query.target ? eq(auditEvents.target, query.target) : undefined,
      query.from ? gte(auditEvents.timestamp, new Date(query.from)) : undefined,
      query.to ? lt(auditEvents.timestamp, new Date(query.to)) : undefined,
      afterCursor(sort, auditEvents.id, query.cursor),
    ))
    .orderBy(...orderOf(sort, auditEvents.id)).limit(query.limit + 1);
  const page = pageOf(rows, query.limit, sort);
  return {
    items: page.rows.map(({ sortKey: _s, ...r }) => ({ ...r, timestamp: iso(r.timestamp)! })),
    nextCursor: page.nextCursor,
  };
}
