import { createRoute, z } from "@hono/zod-openapi";
import { requireCaller } from "../auth/caller.ts";
import { examResults, overrideGrade, reviewQueue } from "../exams/results.ts";
import type { CoreApp } from "../app.ts";
import { errorResponses, IdParam, jsonResponse, scoped } from "./common.ts";

const tags = ["exams"];
const STAFF = ["ADMIN", "ACADEMIC"] as const;

const review = createRoute({
  method: "get",
  path: "/v1/exams/{id}/review",
  tags,
  summary: "Answers graded with low confidence, for the instructor",
  middleware: [requireCaller([...STAFF])] as const,
  request: { params: IdParam },
  responses: {
    200: jsonResponse(z.object({ items: z.array(z.looseObject({ answerId: z.uuid() })) }), "Queue"),
    ...errorResponses,
  },
});
const override = createRoute({
  method: "post",
  path: "/v1/answers/{id}/override",
  tags,
  summary: "Set an answer's score by hand (audited)",
  middleware: [requireCaller([...STAFF])] as const,
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
  middleware: [requireCaller()] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse(z.looseObject({ examId: z.uuid() }), "Results"), ...errorResponses },
});

/** Review queue, overrides and results. */
export function registerExamResultRoutes(app: CoreApp): void {
  app.openapi(review, async (c) => {
    const { id } = c.req.valid("param");
    return c.json({ items: await scoped(c, (ctx) => reviewQueue(ctx, id), { readOnly: true }) }, 200);
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
