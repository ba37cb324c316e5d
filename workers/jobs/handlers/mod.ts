import type { TutorModel } from "@app/shared/tutor/model/interface.ts";
import { type JobHandlers, registerJobs } from "../registry.ts";
import { deliverNotification } from "./notifications_deliver.ts";
import { ingestDocument } from "./documents_ingest.ts";
import { purgeDocument } from "./documents_purge.ts";
import { examJobHandlers } from "./exams.ts";
import { sendMail } from "./mail_send.ts";
import { maintenanceHandlers } from "./maintenance.ts";
import { goldenJobHandlers } from "./golden.ts";

/** What the handlers are built for. */
export interface JobHandlerDeps {
  /** The tutor model of exam generation, grading and golden runs; unset: the offline generator, grader and tutor. */
  model?: TutorModel;
}

/**
 * Every job type's handler, in one visible place: each type exactly once (checked by `registerJobs` at compile time
 * and at start-up), built for the process's model.
 */
export function createJobHandlers(deps: JobHandlerDeps = {}): JobHandlers {
  return registerJobs(
    { "notifications.deliver": deliverNotification },
    // Documents
    { "documents.ingest": ingestDocument, "documents.purge": purgeDocument },
    examJobHandlers(deps),
    // Accounts: mail and scheduled maintenance
    { "mail.send": sendMail },
    maintenanceHandlers,
    // Golden sets
    goldenJobHandlers(deps),
  );
}

/** The offline handlers (no model): tests and tools that run jobs without a tutor model. */
export const jobHandlers: JobHandlers = createJobHandlers();
