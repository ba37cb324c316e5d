import { createRoute, z } from "@hono/zod-openapi";
import { contract, STAFF } from "../http/contract.ts";
import * as golden from "../golden/golden.ts";
import { pageQuery } from "../academics/pagination.ts";
import { GOLDEN_RUN_STATUSES, GOLDEN_TRIGGERS } from "../../shared/db/schema/golden.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, IdParam, jsonResponse, pageSchema, scoped } from "./common.ts";

const tags = ["golden"];
const GoldenQuestion = z.object({
  id: z.uuid(),
  courseId: z.uuid(),
  question: z.string(),
  documentId: z.uuid().nullable(),
  expectedQuote: z.string(),
  expectedAnswer: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("GoldenQuestion");
const GoldenTotals = z.object({
  questions: z.number().int(),
  retrievalHits: z.number().int(),
  withAnswer: z.number().int(),
  answerHits: z.number().int(),
  refusals: z.number().int(),
  mrr: z.number(),
}).openapi("GoldenTotals");
const runFields = {
  id: z.uuid(),
  courseId: z.uuid(),
  trigger: z.enum(GOLDEN_TRIGGERS),
  status: z.enum(GOLDEN_RUN_STATUSES),
  jobId: z.uuid().nullable(),
  corpusVersion: z.number().int().nullable(),
  model: z.string().nullable(),
  k: z.number().int(),
  totals: GoldenTotals.nullable(),
  previousRunId: z.uuid().nullable(),
  dropped: z.boolean().openapi({ description: "Some question that passed in the previous run fails now" }),
  regressions: z.array(z.uuid()),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
};
const GoldenRun = z.object(runFields).openapi("GoldenRun");
const GoldenRunDetail = z.object({
  ...runFields,
  results: z.array(z.object({
    questionId: z.uuid(),
    question: z.string(),
    rank: z.number().int().nullable(),
    found: z.boolean(),
    answer: z.string(),
    answerHit: z.boolean().nullable(),
    refused: z.boolean(),
    refusal: z.string().nullable(),
  })),
}).openapi("GoldenRunDetail");
const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

const listQuestions = createRoute({
  method: "get",
  path: "/v1/courses/{id}/golden-questions",
  tags,
  summary: "The course's golden questions (its instructors and admins)",
  ...contract({ access: STAFF, cache: "private" }),
  request: { params: IdParam, query: z.object(pageQuery) },
  responses: {
    200: jsonResponse(pageSchema(GoldenQuestion), "A page of questions, oldest first"),
    ...errorResponses,
  },
});
const createQuestion = createRoute({
  method: "post",
  path: "/v1/courses/{id}/golden-questions",
  tags,
  summary: "Add a golden question with the passage (and optionally the answer) it expects",
  ...contract({ access: STAFF, created: "/api/v1/golden-questions/{id}" }),
  request: { params: IdParam, ...body(golden.GoldenQuestionCreate) },
  responses: { 201: jsonResponse(GoldenQuestion, "Added"), ...errorResponses },
});
const updateQuestion = createRoute({
  method: "patch",
  path: "/v1/golden-questions/{id}",
  tags,
  summary: "Change a golden question",
  ...contract({ access: STAFF }),
  request: { params: IdParam, ...body(golden.GoldenQuestionPatch) },
  responses: { 200: jsonResponse(GoldenQuestion, "Changed"), ...errorResponses },
});
const deleteQuestion = createRoute({
  method: "delete",
  path: "/v1/golden-questions/{id}",
  tags,
  summary: "Remove a golden question (past results keep its text)",
  ...contract({ access: STAFF }),
  request: { params: IdParam },
  responses: { 204: { description: "Removed" }, ...errorResponses },
});
const startRun = createRoute({
  method: "post",
  path: "/v1/courses/{id}/golden-runs",
  tags,
  summary: "Run the course's golden set now (202; a job evaluates it)",
  ...contract({ access: STAFF, rateLimit: "ai" }),
  request: { params: IdParam },
  responses: {
    202: jsonResponse(z.object({ run: GoldenRun, jobId: z.uuid(), statusUrl: z.string() }), "Queued"),
    ...errorResponses,
  },
});
const listRuns = createRoute({
  method: "get",
  path: "/v1/courses/{id}/golden-runs",
  tags,
  summary: "Runs of the course's golden set, newest first, with totals and drops",
  ...contract({ access: STAFF, cache: "private" }),
  request: { params: IdParam, query: z.object(pageQuery) },
  responses: { 200: jsonResponse(pageSchema(GoldenRun), "A page of runs"), ...errorResponses },
});
const getRun = createRoute({
  method: "get",
  path: "/v1/golden-runs/{id}",
  tags,
  summary: "One golden run with each question's rank, answer and refusal",
  ...contract({ access: STAFF, cache: "private" }),
  request: { params: IdParam },
  responses: { 200: jsonResponse(GoldenRunDetail, "The run"), ...errorResponses },
});

/** Golden-set routes: questions, runs and their results, for the course's instructors and admins. */
export function registerGoldenRoutes(app: CoreApp): void {
  app.openapi(listQuestions, async (c) => {
    const { id } = c.req.valid("param");
    const page = c.req.valid("query");
    return c.json(await scoped(c, (ctx) => golden.listQuestions(ctx, id, page), { readOnly: true }), 200);
  });
  app.openapi(createQuestion, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    return c.json(await scoped(c, (ctx) => golden.createQuestion(ctx, id, input)), 201);
  });
  app.openapi(updateQuestion, async (c) => {
    const { id } = c.req.valid("param");
    const patch = c.req.valid("json");
    return c.json(await scoped(c, (ctx) => golden.updateQuestion(ctx, id, patch)), 200);
  });
  app.openapi(deleteQuestion, async (c) => {
    const { id } = c.req.valid("param");
    await scoped(c, (ctx) => golden.deleteQuestion(ctx, id));
    return c.body(null, 204);
  });
  app.openapi(startRun, async (c) => {
    const { id } = c.req.valid("param");
    const out = await scoped(c, (ctx) => golden.startRun(ctx, id));
    const statusUrl = `/api/v1/jobs/${out.jobId}`;
    return c.json({ ...out, statusUrl }, 202, { Location: statusUrl });
  });
  app.openapi(listRuns, async (c) => {
    const { id } = c.req.valid("param");
    const page = c.req.valid("query");
    return c.json(await scoped(c, (ctx) => golden.listRuns(ctx, id, page), { readOnly: true }), 200);
  });
  app.openapi(getRun, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await scoped(c, (ctx) => golden.getRun(ctx, id), { readOnly: true }), 200);
  });
}
