import { createRoute, z } from "@hono/zod-openapi";
import { ADMINS, contract } from "../http/contract.ts";
import { systemHealth } from "../system/health.ts";
import { errorResponses, jsonResponse } from "./common.ts";
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

const Tier = z.object({
  ok: z.boolean().nullable().openapi({ description: "null: not checked (no address configured)" }),
  reason: z.string().optional(),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), reason: z.string().optional() })).optional(),
});
const healthRoute = createRoute({
  method: "get",
  path: "/v1/system/health",
  tags: ["system"],
  ...contract({ access: ADMINS, cache: "private" }),
  summary: "Core's and the workers' readiness and the job queue, for the admin's health page (admins)",
  responses: {
    200: jsonResponse(
      z.object({
        core: Tier,
        workers: Tier,
        queue: z.object({
          queued: z.number().int(),
          oldestQueuedSeconds: z.number().int().nullable(),
          dead: z.number().int(),
        }),
        checkedAt: z.string(),
      }).openapi("SystemHealth"),
      "The report (200 even when a tier is down: it describes, it does not gate)",
    ),
    ...errorResponses,
  },
});

/** `GET /v1/version`: which service and API version answered; `GET /v1/system/health` for admins. */
export function registerSystemRoutes(app: CoreApp): void {
  app.openapi(versionRoute, (c) => c.json({ service: "core", apiVersion: "v1" }, 200));
  app.openapi(healthRoute, async (c) => {
    const services = c.var.services;
    return c.json(
      await systemHealth({ database: services.database, workersUrl: services.env.WORKERS_URL }),
      200,
    );
  });
}
