import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import type { ServiceEnv } from "../../shared/http/service_app.ts";
import type { WorkersApp } from "../services.ts";
import { deliverJob, recordDeliveryFailure } from "../jobs/delivery.ts";
import { FAILURE_CALLBACK_PATH } from "../jobs/transport/qstash.ts";
import type { WorkersVariables } from "../services.ts";

const Delivery = z.object({ jobId: z.uuid(), type: z.string() });
const Ack = z.object({ jobId: z.string().optional(), state: z.string() });
const signed = { "upstash-signature": z.string().optional() };

const deliverRoute = createRoute({
  method: "post",
  path: "/jobs/{type}",
  summary: "QStash delivers one job (signed with Upstash-Signature)",
  request: { params: z.object({ type: z.string() }), headers: z.object(signed) },
  responses: {
    200: { description: "Done, dead, or nothing to do", content: { "application/json": { schema: Ack } } },
    401: { description: "Missing or invalid signature" },
    409: { description: "Another worker holds the job; QStash retries later" },
    500: { description: "The attempt failed; QStash retries later" },
    503: { description: "The database is unreachable, the job was not claimed; QStash retries later" },
  },
});

const failedRoute = createRoute({
  method: "post",
  path: FAILURE_CALLBACK_PATH,
  summary: "QStash's failure callback: it gave up delivering a job",
  request: { headers: z.object(signed) },
  responses: {
    200: {
      description: "Published again (attempts left), dead (a refusal that would repeat), or already finished",
      content: { "application/json": { schema: Ack } },
    },
  },
});

/** Verifies `Upstash-Signature` against the raw body and the URL QStash was asked to call; 401 otherwise. */
async function verifiedBody(c: Context<ServiceEnv<WorkersVariables>>, path: string): Promise<string> {
  const { jobs } = c.get("services");
  const signature = c.req.header("upstash-signature");
  const body = await c.req.text();
  const unauthorized = (message: string) => new AppError(ErrorCode.UNAUTHORIZED, message);
  if (!jobs.receiver || !jobs.publicUrl) {
    throw unauthorized("Job deliveries are not accepted: QStash is not configured");
  }
  if (!signature) throw unauthorized("Upstash-Signature is missing");
  try {
    await jobs.receiver.verify({ signature, body, url: `${jobs.publicUrl}${path}` });
  } catch (err) {
    c.get("logger").warn("rejected a job delivery with a bad signature", {
      path,
      reason: err instanceof Error ? err.message : String(err),
    });
    throw unauthorized("Upstash-Signature is invalid");
  }
  return body;
}

function parseJson<T>(schema: z.ZodType<T>, text: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError(ErrorCode.BAD_REQUEST, "Delivery body is not JSON");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError(ErrorCode.BAD_REQUEST, "Delivery body is not a job delivery");
  return parsed.data;
}

const FailureCallback = z.object({
  status: z.number().optional(),
  retried: z.number().optional(),
  body: z.string().optional(),
  sourceBody: z.string(),
});

function fromBase64(value: string | undefined): string {
  if (!value) return "";
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0)));
  } catch {
    return value;
  }
}

/** `POST /jobs/{type}` (QStash deliveries) and `POST /jobs/_failed` (QStash's failure callback). */
export function registerJobDeliveryRoutes(app: WorkersApp): void {
  // Registered first: `/jobs/_failed` would otherwise match `/jobs/{type}`.
  app.openapi(failedRoute, async (c) => {
    const body = await verifiedBody(c, FAILURE_CALLBACK_PATH);
    const callback = parseJson(FailureCallback, body);
    const { jobId } = parseJson(Delivery, fromBase64(callback.sourceBody));
    const answer = fromBase64(callback.body).slice(0, 500);
    const reason = `QStash gave up after ${(callback.retried ?? 0) + 1} deliveries; last answer ${
      callback.status ?? "none"
    }${answer ? `: ${answer}` : ""}`;
    const state = await recordDeliveryFailure(jobId, callback.status, reason, c.get("services").jobs.runner);
    return c.json({ jobId, state }, 200);
  });

  app.openapi(deliverRoute, async (c) => {
    const { type } = c.req.valid("param");
    const body = await verifiedBody(c, `/jobs/${type}`);
    const delivery = parseJson(Delivery, body);
    if (delivery.type !== type) {
      throw new AppError(ErrorCode.BAD_REQUEST, "Delivery type does not match the path");
    }
    c.get("logger").debug("job delivery", {
      jobId: delivery.jobId,
      retried: Number(c.req.header("upstash-retried") ?? 0),
      messageId: c.req.header("upstash-message-id"),
    });
    const result = await deliverJob(delivery.jobId, c.get("services").jobs.runner);
    // deno-lint-ignore no-explicit-any
    return c.json({ jobId: delivery.jobId, state: result.state }, result.status as any);
  });
}
