import { createRoute, z } from "@hono/zod-openapi";
import { contract, STAFF } from "../http/contract.ts";
import { addItem, deleteItem, updateItem } from "../exams/exams.ts";
import { ItemType } from "../../shared/exams/types.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, IdParam, jsonResponse, scoped } from "./common.ts";

const tags = ["exams"];
const ItemInput = z.object({
  type: ItemType,
  question: z.string().min(3).max(2000),
  options: z.array(z.string().min(1).max(300)).max(8).default([]),
  answerKey: z.string().min(1).max(500),
  explanation: z.string().max(3000).optional(),
  points: z.number().min(0).max(100).optional(),
  difficulty: z.enum(["easy", "medium", "hard"]).optional(),
});
const Item = z.looseObject({ id: z.uuid(), examId: z.uuid(), type: ItemType, question: z.string() })
  .openapi("ExamItem");
const ItemParams = IdParam.extend({ itemId: z.uuid().openapi({ param: { name: "itemId", in: "path" } }) });

const add = createRoute({
  method: "post",
  path: "/v1/exams/{id}/items",
  tags,
  summary: "Add an item to a draft",
  ...contract({ access: STAFF, created: "/api/v1/exams/{examId}/items/{id}" }),
  request: {
    params: IdParam,
    body: { content: { "application/json": { schema: ItemInput } }, required: true },
  },
  responses: { 201: jsonResponse(Item, "Added"), ...errorResponses },
});
const change = createRoute({
  method: "patch",
  path: "/v1/exams/{id}/items/{itemId}",
  tags,
  summary: "Change an item of a draft",
  ...contract({ access: STAFF }),
  request: {
    params: ItemParams,
    body: { content: { "application/json": { schema: ItemInput.partial() } }, required: true },
  },
  responses: { 200: jsonResponse(Item, "Changed"), ...errorResponses },
});
const remove = createRoute({
  method: "delete",
  path: "/v1/exams/{id}/items/{itemId}",
  tags,
  summary: "Remove an item from a draft",
  ...contract({ access: STAFF }),
  request: { params: ItemParams },
  responses: { 204: { description: "Removed" }, ...errorResponses },
});

/** Draft editing: `POST /v1/exams/{id}/items`, `PATCH`/`DELETE /v1/exams/{id}/items/{itemId}`. */
export function registerExamItemRoutes(app: CoreApp): void {
  app.openapi(add, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    return c.json({ examId: id, ...await scoped(c, (ctx) => addItem(ctx, id, input)) }, 201);
  });
  app.openapi(change, async (c) => {
    const { id, itemId } = c.req.valid("param");
    const input = c.req.valid("json");
    return c.json({ examId: id, ...await scoped(c, (ctx) => updateItem(ctx, id, itemId, input)) }, 200);
  });
  app.openapi(remove, async (c) => {
    const { id, itemId } = c.req.valid("param");
    await scoped(c, (ctx) => deleteItem(ctx, id, itemId));
    return c.body(null, 204);
  });
}
