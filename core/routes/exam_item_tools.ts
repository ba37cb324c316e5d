import { createRoute, z } from "@hono/zod-openapi";
import { contract, STAFF } from "../http/contract.ts";
import { jobStatusUrl } from "../jobs/jobs.ts";
import { itemSource, requestItemRegeneration } from "../exams/item_tools.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, IdParam, jsonResponse, scoped } from "./common.ts";

const tags = ["exams"];
const ItemParams = IdParam.extend({ itemId: z.uuid().openapi({ param: { name: "itemId", in: "path" } }) });

const regenerate = createRoute({
  method: "post",
  path: "/v1/exams/{id}/items/{itemId}/regenerate",
  tags,
  summary:
    "Regenerate one item of a draft (202; a job writes a new item of the same type on a fact not yet tested)",
  ...contract({ access: STAFF, rateLimit: "ai" }),
  request: { params: ItemParams },
  responses: {
    202: jsonResponse(z.object({ jobId: z.uuid(), statusUrl: z.string() }), "Regenerating"),
    ...errorResponses,
  },
});
const source = createRoute({
  method: "get",
  path: "/v1/exams/{id}/items/{itemId}/source",
  tags,
  summary: "The whole passage an item's key cites (the course's staff only)",
  ...contract({ access: STAFF }),
  request: { params: ItemParams },
  responses: {
    200: jsonResponse(
      z.object({
        chunkId: z.uuid(),
        documentId: z.uuid(),
        documentTitle: z.string(),
        pageStart: z.number().int().nullable(),
        pageEnd: z.number().int().nullable(),
        heading: z.string().nullable(),
        text: z.string(),
        quote: z.string(),
      }).openapi("ItemSource"),
      "The cited passage",
    ),
    ...errorResponses,
  },
});

/** `POST /v1/exams/{id}/items/{itemId}/regenerate` and `GET /v1/exams/{id}/items/{itemId}/source`. */
export function registerExamItemToolRoutes(app: CoreApp): void {
  app.openapi(regenerate, async (c) => {
    const { id, itemId } = c.req.valid("param");
    const { jobId } = await scoped(c, (ctx) => requestItemRegeneration(ctx, id, itemId));
    return c.json({ jobId, statusUrl: jobStatusUrl(jobId) }, 202, { Location: jobStatusUrl(jobId) });
  });
  app.openapi(source, async (c) => {
    const { id, itemId } = c.req.valid("param");
    return c.json(await scoped(c, (ctx) => itemSource(ctx, id, itemId), { readOnly: true }), 200);
  });
}
