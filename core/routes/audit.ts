import { createRoute, z } from "@hono/zod-openapi";
import { ADMINS, contract } from "../http/contract.ts";
import { AuditEntry, listAudit } from "../audit/list.ts";
import { pageQuery } from "../academics/pagination.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, jsonResponse, pageSchema, scoped } from "./common.ts";

const list = createRoute({
  method: "get",
  path: "/v1/audit",
  tags: ["audit"],
  summary: "The audit trail, newest first (admins)",
  ...contract({ access: ADMINS, cache: "private" }),
  request: {
    query: z.object({
      ...pageQuery,
      sort: z.enum(["timestamp", "-timestamp"]).optional(),
      userId: z.uuid().optional().openapi({ description: "Who acted" }),
      action: z.string().max(100).optional().openapi({ example: "course.delete" }),
      target: z.string().max(200).optional().openapi({ example: "course:…" }),
      from: z.iso.datetime({ offset: true }).optional().openapi({ description: "Inclusive lower bound" }),
      to: z.iso.datetime({ offset: true }).optional().openapi({ description: "Exclusive upper bound" }),
    }),
  },
  responses: { 200: jsonResponse(pageSchema(AuditEntry), "A page of audit events"), ...errorResponses },
});

/** `GET /v1/audit` for admins. */
export function registerAuditRoutes(app: CoreApp): void {
  app.openapi(list, async (c) => {
    const query = c.req.valid("query");
    return c.json(await scoped(c, (ctx) => listAudit(ctx, query), { readOnly: true }), 200);
  });
}
