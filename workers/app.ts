import { createServiceApp } from "../shared/http/service_app.ts";
import { registerJobDeliveryRoutes } from "./routes/jobs.ts";
import { registerDevMailbox } from "./routes/dev_mailbox.ts";
import { registerScheduleRoutes } from "./routes/schedules.ts";
import type { WorkersApp, WorkersServices, WorkersVariables } from "./services.ts";

export type { WorkersApp };

/** Builds the workers app (job deliveries arrive here); no I/O happens here. */
export function createWorkersApp(services: WorkersServices): WorkersApp {
  const app = createServiceApp<WorkersVariables>({
    service: "workers",
    logger: services.logger,
    metrics: services.metrics,
    trustRequestId: services.env.TRUST_REQUEST_ID,
    bodyLimitBytes: services.env.BODY_LIMIT_BYTES,
    readiness: { database: () => services.database.ping() },
  });
  app.use("*", async (c, next) => {
    c.set("services", services);
    await next();
  });

  // Routes, grouped by resource.
  registerJobDeliveryRoutes(app);
  registerDevMailbox(app, services);
  registerScheduleRoutes(app);

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "AI Teacher workers API", version: "1.0.0" },
  });
  return app;
}
