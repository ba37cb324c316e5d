import type { JobRegistry } from "../registry.ts";
import { deliverNotification } from "./notifications_deliver.ts";

/** Every job type's handler, in one visible place. */
export const jobHandlers: JobRegistry = {
  "notifications.deliver": deliverNotification,
};
