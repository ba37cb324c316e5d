import { createRoute } from "@hono/zod-openapi";
import { contract, STAFF } from "../http/contract.ts";
import { CourseInsight, courseInsight, InsightQuery } from "../insight/report.ts";
import { GapsQuery, QuestionGap, questionGaps } from "../insight/gaps.ts";
import { CitedDocument, citedDocuments, CitedDocumentsQuery } from "../insight/documents.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, IdParam, jsonResponse, pageSchema, scoped } from "./common.ts";

const tags = ["insight"];

const report = createRoute({
  method: "get",
  path: "/v1/courses/{id}/insight",
  tags,
  summary: "Questions per week, unanswered questions and usage against quota (course instructors, admins)",
  ...contract({ access: STAFF }),
  request: { params: IdParam, query: InsightQuery },
  responses: { 200: jsonResponse(CourseInsight, "The course's activity"), ...errorResponses },
});

const gaps = createRoute({
  method: "get",
  path: "/v1/courses/{id}/insight/gaps",
  tags,
  summary:
    "Questions the tutor refused because the material lacks the answer, similar ones grouped, largest first",
  ...contract({ access: STAFF }),
  request: { params: IdParam, query: GapsQuery },
  responses: {
    200: jsonResponse(pageSchema(QuestionGap), "Groups of unanswered questions"),
    ...errorResponses,
  },
});

const documents = createRoute({
  method: "get",
  path: "/v1/courses/{id}/insight/documents",
  tags,
  summary: "The course's documents by how often tutor answers cited them (most or least cited first)",
  ...contract({ access: STAFF }),
  request: { params: IdParam, query: CitedDocumentsQuery },
  responses: { 200: jsonResponse(pageSchema(CitedDocument), "Documents and citations"), ...errorResponses },
});

/** Course insight for its instructors: read-only reports over chat and usage. */
export function registerInsightRoutes(app: CoreApp): void {
  app.openapi(report, async (c) => {
    const { id } = c.req.valid("param");
    const env = c.get("services").env;
    const body = await scoped(c, (ctx) => courseInsight(ctx, env, id, c.req.valid("query")), {
      readOnly: true,
    });
    return c.json(body, 200);
  });
  app.openapi(gaps, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(
      await scoped(c, (ctx) => questionGaps(ctx, id, c.req.valid("query")), { readOnly: true }),
      200,
    );
  });
  app.openapi(documents, async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    return c.json(await scoped(c, (ctx) => citedDocuments(ctx, id, query), { readOnly: true }), 200);
  });
}
