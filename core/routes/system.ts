import { createRoute, z } from "@hono/zod-openapi";
import { contract } from "../http/contract.ts";
import type { CoreApp } from "../services.ts";

const versionRoute = createRoute({
  method: "get",
  path: "/v1/version",
  ...contract({ access: "public" }),
  summary: "Service name and API version",
  responses: {
    200: {
      description: "Version",
      content: { "application/json": { schema: z.object({ service: z.string(), apiVersion: z.string() }) } },
    },
  },
});

/** `GET /v1/version`: which service and API version answered. */
export function registerSystemRoutes(app: CoreApp): void {
  app.openapi(versionRoute, (c) => c.json({ service: "core", apiVersion: "v1" }, 200));
}
