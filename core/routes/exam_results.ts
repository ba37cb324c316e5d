import { createRoute, z } from "@hono/zod-openapi";
import { contract, SIGNED_IN, STAFF } from "../http/contract.ts";
import { examResults, overrideGrade, reviewQueue } from "../exams/results.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, IdParam, jsonResponse, pageSchema, scoped } from "./common.ts";
import { pageQuery } from "../academics/pagination.ts";

const tags = ["exams"];

const review = createRoute({
  method: "get",
  path: "/v1/exams/{id}/review",
  tags,
  summary: "Answers graded with low confidence, for the instructor",
  ...contract({ access: STAFF }),
  request: { params: IdParam, query: z.object(pageQuery) },
  responses: {
    200: jsonResponse(pageSchema(z.looseObject({ answerId: z.uuid() })), "A page of the queue, oldest first"),
    ...errorResponses,
  },
});
const override = createRoute({
  method: "post",
  path: "/v1/answers/{id}/override",
  tags,
  summary: "Set an answer's score by hand (audited)",
  ...contract({ access: STAFF }),
  request: {
    params: IdParam,
    body: {
      content: {
        "application/json": {
          schema: z.object({ score: z.number().min(0), justification: z.string().max(2000).optional() }),
        },
      },
      required: true,
    },
  },
  responses: {
    200: jsonResponse(z.object({ answerId: z.uuid(), score: z.number(), attemptScore: z.number() }), "Set"),
    ...errorResponses,
  },
});
const results = createRoute({
  method: "get",
  path: "/v1/exams/{id}/results",
  tags,
  summary: "Results: per student and per item (staff); own after release (students)",
  ...contract({ access: SIGNED_IN }),
  request: { params: IdParam },
  responses: { 200: jsonResponse(z.looseObject({ examId: z.uuid() }), "Results"), ...errorResponses },
});

/** Review queue, overrides and results. */
export function registerExamResultRoutes(app: CoreApp): void {
  app.openapi(review, async (c) => {
    const { id } = c.req.valid("param");
    const page = c.req.valid("query");
    return c.json(await scoped(c, (ctx) => reviewQueue(ctx, id, page), { readOnly: true }), 200);
  });
  app.openapi(override, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    return c.json(await scoped(c, (ctx) => overrideGrade(ctx, id, input)), 200);
  });
  app.openapi(results, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await scoped(c, (ctx) => examResults(ctx, id), { readOnly: true }), 200);
  });
}
