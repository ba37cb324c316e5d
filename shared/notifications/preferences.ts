/**
 * Which notification kinds may also go out by mail, and each user's choice. Important kinds are on by default;
 * account security mail (password changed, new sign-in method) is not a notification kind: it is always sent.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { notificationPreferences } from "../db/schema/accounts.ts";

/** Kinds a user can get by mail, with whether they are on when the user never chose. */
export const MAIL_NOTIFICATION_DEFAULTS = {
  "document.ingested": true,
  "document.failed": true,
  "exam.published": true,
  "exam.results_released": true,
  "exam.generated": true,
  "exam.generation_failed": true,
  "exam.attempt_graded": false,
  announcement: true,
} as const satisfies Record<string, boolean>;

/** A kind that can be mailed. */
export type MailNotificationKind = keyof typeof MAIL_NOTIFICATION_DEFAULTS;

/** Whether a string is a kind that can be mailed. */
export function isMailNotificationKind(kind: string): kind is MailNotificationKind {
  return Object.hasOwn(MAIL_NOTIFICATION_DEFAULTS, kind);
}

/** Whether `userId` wants `kind` by mail: their choice, else the kind's default; unknown kinds are never mailed. */
export async function wantsMail(db: Db, userId: string, kind: string): Promise<boolean> {
  if (!isMailNotificationKind(kind)) return false;
  const [row] = await db.select({ email: notificationPreferences.email }).from(notificationPreferences)
    .where(and(eq(notificationPreferences.userId, userId), eq(notificationPreferences.kind, kind))).limit(1);
  return row?.email ?? MAIL_NOTIFICATION_DEFAULTS[kind];
}

/** Every mailable kind with the user's effective choice. */
export async function listMailPreferences(
  db: Db,
  userId: string,
): Promise<{ kind: MailNotificationKind; email: boolean; default: boolean }[]> {
  const rows = await db.select().from(notificationPreferences).where(
    eq(notificationPreferences.userId, userId),
  );
  const chosen = new Map(rows.map((r) => [r.kind, r.email]));
  return (Object.keys(MAIL_NOTIFICATION_DEFAULTS) as MailNotificationKind[]).map((kind) => ({
    kind,
    email: chosen.get(kind) ?? MAIL_NOTIFICATION_DEFAULTS[kind],
    default: MAIL_NOTIFICATION_DEFAULTS[kind],
  }));
}

/** Records a user's choice for one kind. */
export async function setMailPreference(db: Db, userId: string, kind: MailNotificationKind, email: boolean) {
  await db.insert(notificationPreferences).values({ userId, kind, email })
    .onConflictDoUpdate({
      target: [notificationPreferences.userId, notificationPreferences.kind],
      set: { email, updatedAt: new Date() },
    });
}
