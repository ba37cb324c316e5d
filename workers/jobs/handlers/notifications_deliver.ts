import { eq } from "drizzle-orm";
import { schema } from "@app/shared/db/client.ts";
import { userProfiles } from "@app/shared/db/schema/academics.ts";
import { users } from "@app/shared/db/schema/users.ts";
import { queueMail } from "@app/shared/mail/outbox.ts";
import { wantsMail } from "@app/shared/notifications/preferences.ts";
import { defineJob } from "../registry.ts";

/**
 * `notifications.deliver`: inserts the notification keyed by the job id (`notifications.job_id` is unique), so a
 * re-run after a crash or a duplicate delivery never shows the user a second copy. When the user wants this kind by
 * mail (their preference, else the kind's default), the mail is queued in the same transaction, so it too is queued
 * once: only by the run that inserted the notification.
 */
export const deliverNotification = defineJob("notifications.deliver", async ({ job, payload, database }) => {
  const mailed = await database.db.transaction(async (tx) => {
    const inserted = await tx.insert(schema.notifications).values({
      userId: payload.userId,
      kind: payload.kind,
      title: payload.title,
      body: payload.body,
      data: payload.data,
      jobId: job.id,
    }).onConflictDoNothing({ target: schema.notifications.jobId }).returning({ id: schema.notifications.id });
    if (inserted.length === 0 || !(await wantsMail(tx, payload.userId, payload.kind))) return false;
    const [user] = await tx.select({
      email: users.email,
      deletedAt: users.deletedAt,
      lang: userProfiles.preferredLanguage,
    })
      .from(users).leftJoin(userProfiles, eq(userProfiles.userId, users.id)).where(
        eq(users.id, payload.userId),
      );
    if (!user || user.deletedAt) return false;
    await queueMail(tx, {
      to: user.email,
      userId: payload.userId,
      locale: user.lang ?? "en",
      template: "notification",
      params: { title: payload.title, body: payload.body },
    });
    return true;
  });
  return { result: { userId: payload.userId, mailed }, resultUrl: "/api/v1/notifications" };
});
