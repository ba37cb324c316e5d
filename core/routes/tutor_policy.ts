import { createRoute, z } from "@hono/zod-openapi";
import { contract, SIGNED_IN, STAFF } from "../http/contract.ts";
import { getTutorPolicy, updateTutorPolicy } from "../chat/policy.ts";
import { roleQuota, serverCourseQuota } from "../chat/quota.ts";
import { ANSWER_POLICIES } from "../../shared/tutor/types.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, IdParam, jsonResponse, scoped } from "./common.ts";

const tags = ["chat"];
const Policy = z.object({
  policy: z.enum(ANSWER_POLICIES),
  dailyQuestionQuota: z.number().int().min(0).max(1_000_000).nullable().openapi({
    description:
      "Questions all users together may ask in the course per UTC day; null: the server's; 0: no limit",
  }),
  lockoutDuringExams: z.boolean().openapi({
    description: "Whether the tutor refuses questions about an exam of the course while it is open",
  }),
});
const PolicyView = Policy.extend({
  serverDailyQuestionQuota: z.number().int().openapi({
    description: "The server's course quota, which applies while dailyQuestionQuota is null (0: none)",
  }),
  studentDailyQuota: z.number().int().openapi({
    description: "Each student's own daily quota over all courses (the server's; 0: none)",
  }),
}).openapi("TutorPolicy");
const PolicyInput = Policy.partial({ dailyQuestionQuota: true, lockoutDuringExams: true }).openapi(
  "TutorPolicyInput",
);

const get = createRoute({
  method: "get",
  path: "/v1/courses/{id}/tutor-policy",
  tags,
  summary: "How the tutor answers in this course",
  ...contract({ access: SIGNED_IN }),
  request: { params: IdParam },
  responses: { 200: jsonResponse(PolicyView, "The policy"), ...errorResponses },
});
const put = createRoute({
  method: "put",
  path: "/v1/courses/{id}/tutor-policy",
  tags,
  summary:
    "Set the tutor's answer policy (direct, socratic or hints-only), the course's daily question quota and the " +
    "lock-out during open exams (course instructors, admins; fields left out keep their value)",
  ...contract({ access: STAFF }),
  request: {
    params: IdParam,
    body: { content: { "application/json": { schema: PolicyInput } }, required: true },
  },
  responses: { 200: jsonResponse(PolicyView, "The new policy"), ...errorResponses },
});

/** The per-course tutor policy routes. */
export function registerTutorPolicyRoutes(app: CoreApp): void {
  const view = (env: Parameters<typeof roleQuota>[0], courseId: string) => ({
    serverDailyQuestionQuota: serverCourseQuota(env, courseId),
    studentDailyQuota: roleQuota(env, "STUDENT"),
  });
  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const policy = await scoped(c, (ctx) => getTutorPolicy(ctx, id), { readOnly: true });
    return c.json({ ...policy, ...view(c.var.services.env, id) }, 200);
  });
  app.openapi(put, async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const policy = await scoped(c, (ctx) => updateTutorPolicy(ctx, id, input));
    return c.json({ ...policy, ...view(c.var.services.env, id) }, 200);
  });
}
