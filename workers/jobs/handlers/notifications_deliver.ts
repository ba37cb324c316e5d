import { schema } from "../../../shared/db/client.ts";
import { defineJob } from "../registry.ts";

/**
 * `notifications.deliver`: inserts the notification keyed by the job id (`notifications.job_id` is unique), so a
 * re-run after a crash or a duplicate delivery never shows the user a second copy.
 */
export const deliverNotification = defineJob("notifications.deliver", async ({ job, payload, database }) => {
  await database.db.insert(schema.notifications).values({
    userId: payload.userId,
    kind: payload.kind,
    title: payload.title,
    body: payload.body,
    data: payload.data,
    jobId: job.id,
  }).onConflictDoNothing({ target: schema.notifications.jobId });
  return { result: { userId: payload.userId }, resultUrl: "/api/v1/notifications" };
});
