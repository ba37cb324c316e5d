import type { JobRegistry } from "../registry.ts";
import { deliverNotification } from "./notifications_deliver.ts";
import { ingestDocument } from "./documents_ingest.ts";
import { purgeDocument } from "./documents_purge.ts";

/** Every job type's handler, in one visible place. */
export const jobHandlers: JobRegistry = {
  "notifications.deliver": deliverNotification,
  // Documents
  "documents.ingest": ingestDocument,
  "documents.purge": purgeDocument,
};
