import { createRoute, z } from "@hono/zod-openapi";
import { contract, SIGNED_IN } from "../http/contract.ts";
import { jobStatusUrl } from "../jobs/jobs.ts";
import { getAttempt, saveAnswers, startAttempt, submitAttempt, submitExpired } from "../exams/attempts.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, IdParam, jsonResponse, scoped } from "./common.ts";
import { Attempt } from "./attempt_schemas.ts";

const tags = ["exams"];

const start = createRoute({
  method: "post",
  path: "/v1/exams/{id}/attempts",
  tags,
  summary: "Start an attempt (server clock; inside the window and the attempts allowed)",
  ...contract({ access: SIGNED_IN, created: "/api/v1/attempts/{id}" }),
  request: { params: IdParam },
  responses: { 201: jsonResponse(Attempt, "Started"), ...errorResponses },
});
const save = createRoute({
  method: "put",
  path: "/v1/attempts/{id}/answers",
  tags,
  summary: "Autosave answers of an attempt in progress",
  ...contract({ access: SIGNED_IN }),
  request: {
    params: IdParam,
    body: {
      content: {
        "application/json": {
          schema: z.object({
            answers: z.array(z.object({ itemId: z.uuid(), answer: z.string().max(5000).nullable() })).max(
              500,
            ),
          }),
        },
      },
      required: true,
    },
  },
  responses: {
    200: jsonResponse(
      z.object({ saved: z.number(), savedAt: z.string(), deadlineAt: z.string().nullable() }),
      "Saved",
    ),
    ...errorResponses,
  },
});
const submit = createRoute({
  method: "post",
  path: "/v1/attempts/{id}/submit",
  tags,
  summary: "Submit an attempt once (202; a job grades it)",
  ...contract({ access: SIGNED_IN }),
  request: { params: IdParam },
  responses: {
    202: jsonResponse(z.object({ attemptId: z.uuid(), jobId: z.uuid(), statusUrl: z.string() }), "Grading"),
    ...errorResponses,
  },
});
const get = createRoute({
  method: "get",
  path: "/v1/attempts/{id}",
  tags,
  summary: "An attempt (own, or the course's staff); grades for students after release",
  ...contract({ access: SIGNED_IN }),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Attempt, "The attempt"), ...errorResponses },
});

/** Attempt routes. */
export function registerAttemptRoutes(app: CoreApp): void {
  app.openapi(start, async (c) => {
    const { id } = c.req.valid("param");
    await scoped(c, (ctx) => submitExpired(ctx, { examId: id }));
    return c.json(await scoped(c, (ctx) => startAttempt(ctx, id)), 201);
  });
  app.openapi(save, async (c) => {
    const { id } = c.req.valid("param");
    const { answers } = c.req.valid("json");
    await scoped(c, (ctx) => submitExpired(ctx, { attemptId: id }));
    return c.json(await scoped(c, (ctx) => saveAnswers(ctx, id, answers)), 200);
  });
  app.openapi(submit, async (c) => {
    const { id } = c.req.valid("param");
    await scoped(c, (ctx) => submitExpired(ctx, { attemptId: id }));
    const out = await scoped(c, (ctx) => submitAttempt(ctx, id));
    return c.json({ ...out, statusUrl: jobStatusUrl(out.jobId) }, 202, {
      Location: jobStatusUrl(out.jobId),
    });
  });
  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    // An attempt past its deadline is submitted on access, in a transaction of its own.
    await scoped(c, (ctx) => submitExpired(ctx, { attemptId: id }));
    return c.json(await scoped(c, (ctx) => getAttempt(ctx, id)), 200);
  });
}
