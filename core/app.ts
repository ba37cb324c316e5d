import { createServiceApp, type ServiceEnv } from "../shared/http/service_app.ts";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { CoreServices, CoreVariables } from "./services.ts";
import { registerJobRoutes } from "./routes/jobs.ts";
import { registerNotificationRoutes } from "./routes/notifications.ts";
import { registerSystemRoutes } from "./routes/system.ts";

/** The core tier's Hono app type. */
export type CoreApp = OpenAPIHono<ServiceEnv<CoreVariables>>;

/** Builds the core app from its services; no I/O happens here. */
export function createCoreApp(services: CoreServices): CoreApp {
  const app = createServiceApp<CoreVariables>({
    service: "core",
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
  registerSystemRoutes(app);
  registerJobRoutes(app);
  registerNotificationRoutes(app);

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "AI Teacher core API", version: "1.0.0" },
  });
  return app;
}
