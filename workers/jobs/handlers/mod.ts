import type { JobRegistry } from "../registry.ts";
import { deliverNotification } from "./notifications_deliver.ts";
import { ingestDocument } from "./documents_ingest.ts";
import { purgeDocument } from "./documents_purge.ts";
import { examJobHandlers } from "./exams.ts";
import { sendMail } from "./mail_send.ts";
import { maintenanceHandlers } from "./maintenance.ts";
import { goldenJobHandlers } from "./golden.ts";

/** Every job type's handler, in one visible place. */
export const jobHandlers: JobRegistry = {
  "notifications.deliver": deliverNotification,
  // Documents
  "documents.ingest": ingestDocument,
  "documents.purge": purgeDocument,
  // exams: offline generator and grader; `workers/main.ts` passes the model when TUTOR_MODEL=openai.
  ...examJobHandlers(),
  // Accounts: mail and scheduled maintenance
  "mail.send": sendMail,
  ...maintenanceHandlers,
  // Golden sets: the offline tutor answers; `workers/main.ts` passes the model when TUTOR_MODEL=openai.
  ...goldenJobHandlers(),
};
