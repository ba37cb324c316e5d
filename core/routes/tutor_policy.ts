import { createRoute, z } from "@hono/zod-openapi";
import { contract, SIGNED_IN, STAFF } from "../http/contract.ts";
import { getTutorPolicy, setTutorPolicy } from "../chat/policy.ts";
import { ANSWER_POLICIES } from "../tutor/types.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, IdParam, jsonResponse, scoped } from "./common.ts";

const tags = ["chat"];
const Policy = z.object({ policy: z.enum(ANSWER_POLICIES) }).openapi("TutorPolicy");

const get = createRoute({
  method: "get",
  path: "/v1/courses/{id}/tutor-policy",
  tags,
  summary: "How the tutor answers in this course",
  ...contract({ access: SIGNED_IN }),
  request: { params: IdParam },
  responses: { 200: jsonResponse(Policy, "The policy"), ...errorResponses },
});
const put = createRoute({
  method: "put",
  path: "/v1/courses/{id}/tutor-policy",
  tags,
  summary: "Set the tutor's answer policy: direct, socratic or hints-only (course instructors, admins)",
  ...contract({ access: STAFF }),
  request: { params: IdParam, body: { content: { "application/json": { schema: Policy } }, required: true } },
  responses: { 200: jsonResponse(Policy, "The new policy"), ...errorResponses },
});

/** The per-course tutor policy routes. */
export function registerTutorPolicyRoutes(app: CoreApp): void {
  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    return c.json({ policy: await scoped(c, (ctx) => getTutorPolicy(ctx, id), { readOnly: true }) }, 200);
  });
  app.openapi(put, async (c) => {
    const { id } = c.req.valid("param");
    const { policy } = c.req.valid("json");
    return c.json({ policy: await scoped(c, (ctx) => setTutorPolicy(ctx, id, policy)) }, 200);
  });
}
