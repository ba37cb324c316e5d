import { createRoute, z } from "@hono/zod-openapi";
import { ADMINS, contract, SIGNED_IN } from "../http/contract.ts";
import { jobStatusUrl } from "../jobs/jobs.ts";
import type { CoreApp } from "../services.ts";
import { callerOf } from "../auth/caller.ts";
import { pageQuery } from "../academics/pagination.ts";
import { errorResponses, pageSchema } from "./common.ts";
import { listNotifications, markNotificationRead, sendNotification } from "../notifications/notifications.ts";

const Notification = z.object({
  id: z.uuid(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  data: z.record(z.string(), z.unknown()),
  readAt: z.string().nullable(),
  createdAt: z.string(),
}).openapi("Notification");
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/notifications",
  summary: "The caller's notifications, newest first",
  ...contract({ access: SIGNED_IN }),
  request: {
    query: z.object({
      unread: z.enum(["true", "false"]).default("false"),
      ...pageQuery,
    }),
  },
  responses: {
    200: json(pageSchema(Notification), "A page of notifications, newest first"),
    ...errorResponses,
  },
});

const readRoute = createRoute({
  method: "post",
  path: "/v1/notifications/{id}/read",
  summary: "Mark one of the caller's notifications read",
  ...contract({ access: SIGNED_IN }),
  request: { params: z.object({ id: z.uuid() }) },
  responses: { 200: json(Notification, "Marked read"), 404: { description: "No such notification" } },
});

const sendRoute = createRoute({
  method: "post",
  path: "/v1/notifications",
  summary: "Send a notification to a user (admins); delivered by a job",
  ...contract({ access: ADMINS }),
  request: {
    body: {
      content: {
        "application/json": {
          schema: z.object({
            userId: z.uuid(),
            kind: z.string().min(1).max(100).default("announcement"),
            title: z.string().min(1).max(300),
            body: z.string().max(5000).default(""),
          }),
        },
      },
    },
  },
  responses: {
    202: json(z.object({ jobId: z.uuid(), statusUrl: z.string() }), "Accepted: a job delivers it"),
    404: { description: "No such user" },
  },
});

/** `GET /v1/notifications`, `POST /v1/notifications/{id}/read`, `POST /v1/notifications`. */
export function registerNotificationRoutes(app: CoreApp): void {
  app.openapi(listRoute, async (c) => {
    const { database } = c.get("services");
    const query = c.req.valid("query");
    const page = await listNotifications(database.read, callerOf(c).userId, {
      unreadOnly: query.unread === "true",
      limit: query.limit,
      cursor: query.cursor,
    });
    return c.json(page, 200);
  });

  app.openapi(readRoute, async (c) => {
    const { database } = c.get("services");
    return c.json(await markNotificationRead(database.db, callerOf(c).userId, c.req.valid("param").id), 200);
  });

  app.openapi(sendRoute, async (c) => {
    const { database } = c.get("services");
    const job = await sendNotification(database.db, callerOf(c).userId, c.req.valid("json"));
    return c.json({ jobId: job.id, statusUrl: jobStatusUrl(job.id) }, 202, {
      Location: jobStatusUrl(job.id),
    });
  });
}
