import { and, eq, isNull, type SQL } from "drizzle-orm";
import { afterCursor, fixedSort, orderOf, pageOf, sortKeyOf } from "../academics/pagination.ts";
import type { Db } from "../../shared/db/client.ts";
import { notifications } from "../../shared/db/schema/notifications.ts";
import { users } from "../../shared/db/schema/users.ts";
import { errors } from "../../shared/errors.ts";
import { enqueueJob, type JobRow } from "../../shared/jobs/enqueue.ts";

/** A notification as the API shows it. */
export interface NotificationView {
  id: string;
  kind: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  readAt: string | null;
  createdAt: string;
}

function view(row: typeof notifications.$inferSelect): NotificationView {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    data: row.data,
    readAt: row.readAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The caller's notifications, newest first. */
export async function listNotifications(
  db: Db,
  userId: string,
  options: { unreadOnly: boolean; limit: number; cursor?: string },
): Promise<{ items: NotificationView[]; nextCursor: string | null }> {
  const sort = fixedSort("-createdAt", notifications.createdAt, "timestamptz", true);
  const where: SQL[] = [eq(notifications.userId, userId), isNull(notifications.deletedAt) as SQL];
  if (options.unreadOnly) where.push(isNull(notifications.readAt) as SQL);
  const after = afterCursor(sort, notifications.id, options.cursor);
  if (after) where.push(after);
  const rows = await db.select({ row: notifications, id: notifications.id, sortKey: sortKeyOf(sort) })
    .from(notifications).where(and(...where))
    .orderBy(...orderOf(sort, notifications.id)).limit(options.limit + 1);
  const page = pageOf(rows, options.limit, sort);
  return { items: page.rows.map((r) => view(r.row)), nextCursor: page.nextCursor };
}

/** Marks one of the caller's notifications read (idempotent: the first read time stays). */
export async function markNotificationRead(db: Db, userId: string, id: string): Promise<NotificationView> {
  const mine = and(
    eq(notifications.id, id),
    eq(notifications.userId, userId),
    isNull(notifications.deletedAt),
  );
  await db.update(notifications).set({ readAt: new Date() }).where(and(mine, isNull(notifications.readAt)));
  const [row] = await db.select().from(notifications).where(mine);
  if (!row) throw errors.notFound("Notification");
  return view(row);
}

/** Queues delivery of a notification to a live user; the job row commits with nothing else to wait for. */
export async function sendNotification(
  db: Db,
  senderId: string,
  input: { userId: string; kind: string; title: string; body: string },
): Promise<JobRow> {
  const [user] = await db.select({ id: users.id }).from(users)
    .where(and(eq(users.id, input.userId), isNull(users.deletedAt)));
  if (!user) throw errors.notFound("User");
  return enqueueJob(db, { type: "notifications.deliver", payload: input, ownerUserId: senderId });
}
