import { createRoute, z } from "@hono/zod-openapi";
import { contract, SIGNED_IN, STAFF } from "../http/contract.ts";
import { jobStatusUrl } from "../jobs/jobs.ts";
import * as examsDomain from "../exams/exams.ts";
import { Blueprint } from "../../shared/exams/types.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, IdParam, jsonResponse, pageSchema, scoped } from "./common.ts";
import { pageQuery } from "../academics/pagination.ts";

const tags = ["exams"];
const Exam = z.looseObject({ id: z.uuid(), courseId: z.uuid(), title: z.string(), status: z.string() })
  .openapi(
    "Exam",
  );
const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});

const create = createRoute({
  method: "post",
  path: "/v1/courses/{id}/exams",
  tags,
  summary: "Ask for an exam generated from the course's material (202; a job writes the items)",
  ...contract({ access: STAFF, rateLimit: "ai" }),
  request: {
    params: IdParam,
    ...body(z.object({ title: z.string().min(1).max(300), blueprint: Blueprint })),
  },
  responses: {
    202: jsonResponse(z.object({ examId: z.uuid(), jobId: z.uuid(), statusUrl: z.string() }), "Generating"),
    ...errorResponses,
  },
});
const list = createRoute({
  method: "get",
  path: "/v1/courses/{id}/exams",
  tags,
  summary: "Exams of a course (students: published and later only)",
  ...contract({ access: SIGNED_IN }),
  request: { params: IdParam, query: z.object(pageQuery) },
  responses: { 200: jsonResponse(pageSchema(Exam), "A page of exams, newest first"), ...errorResponses },
});
const get = createRoute({
  method: "get",
  path: "/v1/exams/{id}",
  tags,
  summary: "An exam with its items (keys for staff, for students only after release)",
  ...contract({ access: SIGNED_IN }),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Exam, "The exam"), ...errorResponses },
});
const patch = createRoute({
  method: "patch",
  path: "/v1/exams/{id}",
  tags,
  summary: "Change a draft exam",
  ...contract({ access: STAFF }),
  request: { params: IdParam, ...body(z.object({ title: z.string().min(1).max(300).optional() })) },
  responses: { 200: jsonResponse(Exam, "Changed"), ...errorResponses },
});
const publish = createRoute({
  method: "post",
  path: "/v1/exams/{id}/publish",
  tags,
  summary: "Publish a draft with its window, time limit, attempts and late policy",
  ...contract({ access: STAFF }),
  request: {
    params: IdParam,
    ...body(z.object({
      opensAt: z.iso.datetime({ offset: true }).optional(),
      closesAt: z.iso.datetime({ offset: true }),
      timeLimitMinutes: z.number().int().min(1).max(24 * 60).optional(),
      attemptsAllowed: z.number().int().min(1).max(20).default(1),
      allowLate: z.boolean().default(false),
    })),
  },
  responses: { 200: jsonResponse(Exam, "Published"), ...errorResponses },
});
const transition = (path: string, summary: string) =>
  createRoute({
    method: "post",
    path,
    tags,
    summary,
    ...contract({ access: STAFF }),
    request: { params: IdParam },
    responses: { 200: jsonResponse(Exam, "Done"), ...errorResponses },
  });
const close = transition("/v1/exams/{id}/close", "Close a published exam (open attempts are submitted)");
const release = transition(
  "/v1/exams/{id}/release",
  "Release the results of a closed exam (students notified)",
);

/** Exam lifecycle routes. */
export function registerExamRoutes(app: CoreApp): void {
  app.openapi(create, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const out = await scoped(c, (ctx) => examsDomain.createExam(ctx, id, input));
    return c.json({ ...out, statusUrl: jobStatusUrl(out.jobId) }, 202, {
      Location: jobStatusUrl(out.jobId),
    });
  });
  app.openapi(list, async (c) => {
    const { id } = c.req.valid("param");
    const page = c.req.valid("query");
    return c.json(await scoped(c, (ctx) => examsDomain.listExams(ctx, id, page), { readOnly: true }), 200);
  });
  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await scoped(c, (ctx) => examsDomain.getExam(ctx, id), { readOnly: true }), 200);
  });
  app.openapi(patch, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    return c.json(await scoped(c, (ctx) => examsDomain.updateExam(ctx, id, input)), 200);
  });
  app.openapi(publish, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    return c.json(await scoped(c, (ctx) => examsDomain.publishExam(ctx, id, input)), 200);
  });
  app.openapi(close, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await scoped(c, (ctx) => examsDomain.closeExam(ctx, id)), 200);
  });
  app.openapi(release, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await scoped(c, (ctx) => examsDomain.releaseExam(ctx, id)), 200);
  });
}
