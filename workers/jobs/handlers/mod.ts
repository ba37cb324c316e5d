import type { JobRegistry } from "../registry.ts";
import { deliverNotification } from "./notifications_deliver.ts";
import { examJobHandlers } from "./exams.ts";

/** Every job type's handler, in one visible place. */
export const jobHandlers: JobRegistry = {
  "notifications.deliver": deliverNotification,
  // exams (issue 8): offline generator and grader; `workers/main.ts` passes the model when TUTOR_MODEL=openai.
  ...examJobHandlers(),
};
