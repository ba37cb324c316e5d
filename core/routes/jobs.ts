import { createRoute, z } from "@hono/zod-openapi";
import { ADMINS, contract, SIGNED_IN } from "../http/contract.ts";
import { JOB_STATUSES } from "../../shared/db/schema/jobs.ts";
import { recordAudit } from "../../shared/audit/audit.ts";
import type { CoreApp } from "../services.ts";
import { callerOf } from "../auth/caller.ts";
import { pageQuery } from "../academics/pagination.ts";
import { errorResponses, pageSchema } from "./common.ts";
import { jobForCaller, jobView, listJobs, retryDeadJob } from "../jobs/jobs.ts";

const Job = z.object({
  id: z.uuid(),
  type: z.string(),
  status: z.enum(JOB_STATUSES),
  progress: z.number().int(),
  attempts: z.number().int(),
  maxAttempts: z.number().int().nullable(),
  error: z.string().nullable(),
  result: z.unknown(),
  resultUrl: z.string().nullable(),
  ownerUserId: z.uuid().nullable(),
  scope: z.record(z.string(), z.string()),
  runAfter: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
}).openapi("Job");
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const IdParam = z.object({ id: z.uuid() });

const getRoute = createRoute({
  method: "get",
  path: "/v1/jobs/{id}",
  summary: "A job's status, progress, error and result (its owner and admins)",
  ...contract({ access: SIGNED_IN }),
  request: { params: IdParam },
  responses: { 200: json(Job, "The job"), 404: { description: "No such job visible to the caller" } },
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/jobs",
  summary: "Jobs, newest first (admins)",
  ...contract({ access: ADMINS }),
  request: {
    query: z.object({
      type: z.string().max(100).optional(),
      status: z.enum(JOB_STATUSES).optional(),
      ownerUserId: z.uuid().optional(),
      facultyId: z.uuid().optional(),
      courseId: z.uuid().optional(),
      ...pageQuery,
    }),
  },
  responses: { 200: json(pageSchema(Job), "A page of jobs, newest first"), ...errorResponses },
});

const retryRoute = createRoute({
  method: "post",
  path: "/v1/jobs/{id}/retry",
  summary: "Queue a dead job again with fresh attempts (its owner and admins)",
  ...contract({ access: SIGNED_IN }),
  request: { params: IdParam },
  responses: {
    202: json(Job, "Queued again"),
    404: { description: "No such job visible to the caller" },
    409: { description: "The job is not dead" },
  },
});

/** `GET /v1/jobs/{id}`, `GET /v1/jobs`, `POST /v1/jobs/{id}/retry`. */
export function registerJobRoutes(app: CoreApp): void {
  app.openapi(getRoute, async (c) => {
    const { database } = c.get("services");
    const job = await jobForCaller(database.db, callerOf(c), c.req.valid("param").id);
    return c.json(jobView(job), 200);
  });

  app.openapi(listRoute, async (c) => {
    const { database } = c.get("services");
    const filters = c.req.valid("query");
    const page = await listJobs(database.read, filters);
    return c.json({ items: page.rows.map(jobView), nextCursor: page.nextCursor }, 200);
  });

  app.openapi(retryRoute, async (c) => {
    const { database, logger } = c.get("services");
    const caller = callerOf(c);
    const job = await database.db.transaction(async (tx) => {
      const row = await retryDeadJob(tx, caller, c.req.valid("param").id);
      await recordAudit(tx, logger, "core", {
        action: "job.retry",
        userId: caller.userId,
        target: `job:${row.id}`,
        metadata: { type: row.type, generation: row.generation },
      });
      return row;
    });
    return c.json(jobView(job), 202);
  });
}
