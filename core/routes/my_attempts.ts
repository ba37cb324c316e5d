import { createRoute, z } from "@hono/zod-openapi";
import { contract, SIGNED_IN } from "../http/contract.ts";
import { listOwnAttempts } from "../exams/attempts.ts";
import { pageQuery } from "../academics/pagination.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, jsonResponse, pageSchema, scoped } from "./common.ts";
import { AttemptSummary } from "./attempt_schemas.ts";

const list = createRoute({
  method: "get",
  path: "/v1/me/exam-attempts",
  tags: ["exams"],
  summary: "The caller's own exam attempts, newest first (of one exam, one course, or all)",
  ...contract({ access: SIGNED_IN }),
  request: {
    query: z.object({
      ...pageQuery,
      examId: z.uuid().optional().openapi({ description: "Only this exam's attempts" }),
      courseId: z.uuid().optional().openapi({ description: "Only attempts at this course's exams" }),
    }),
  },
  responses: {
    200: jsonResponse(pageSchema(AttemptSummary), "A page of the caller's attempts"),
    ...errorResponses,
  },
});

/** The caller's own attempts (the student's exam screens: which exams are started, resumable or submitted). */
export function registerMyAttemptRoutes(app: CoreApp): void {
  app.openapi(list, async (c) => {
    const { examId, courseId, ...page } = c.req.valid("query");
    return c.json(await scoped(c, (ctx) => listOwnAttempts(ctx, { examId, courseId }, page)), 200);
  });
}
