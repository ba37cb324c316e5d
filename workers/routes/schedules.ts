/** `POST /schedules/{name}`: QStash's schedule calls (signed), enqueueing that schedule's job for this minute. */
import { createRoute, z } from "@hono/zod-openapi";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import { enqueueScheduled, scheduleNamed } from "../../shared/jobs/schedules.ts";
import type { WorkersApp } from "../services.ts";

const route = createRoute({
  method: "post",
  path: "/schedules/{name}",
  summary: "QStash runs a schedule (signed with Upstash-Signature); the job is enqueued once per minute slot",
  request: { params: z.object({ name: z.string() }) },
  responses: {
    200: {
      description: "Enqueued, or already enqueued for this slot",
      content: { "application/json": { schema: z.object({ jobId: z.string().nullable() }) } },
    },
    401: { description: "Missing or invalid signature" },
  },
});

/** Registers the QStash schedule endpoint. */
export function registerScheduleRoutes(app: WorkersApp): void {
  app.openapi(route, async (c) => {
    const { name } = c.req.valid("param");
    const { jobs, database, logger } = c.get("services");
    const signature = c.req.header("upstash-signature");
    const body = await c.req.text();
    if (!jobs.receiver || !jobs.publicUrl || !signature) {
      throw new AppError(ErrorCode.UNAUTHORIZED, "Schedule calls must be signed by QStash");
    }
    try {
      await jobs.receiver.verify({ signature, body, url: `${jobs.publicUrl}/schedules/${name}` });
    } catch {
      logger.warn("rejected a schedule call with a bad signature", { name });
      throw new AppError(ErrorCode.UNAUTHORIZED, "Upstash-Signature is invalid");
    }
    const schedule = scheduleNamed(name);
    if (!schedule) throw new AppError(ErrorCode.NOT_FOUND, `No schedule "${name}"`);
    const slot = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    return c.json({ jobId: await enqueueScheduled(database.db, schedule, slot) }, 200);
  });
}
