import { createRoute } from "@hono/zod-openapi";
import { contract, SIGNED_IN } from "../http/contract.ts";
import { UsageQuery, UsageReport, usageReport } from "../chat/usage.ts";
import type { CoreApp } from "../services.ts";
import { errorResponses, jsonResponse, scoped } from "./common.ts";

const get = createRoute({
  method: "get",
  path: "/v1/usage",
  tags: ["chat"],
  summary:
    "Tutor usage per user, course and day: own; a course's with ?courseId= (its instructors); all (admins)",
  ...contract({ access: SIGNED_IN }),
  request: { query: UsageQuery },
  responses: { 200: jsonResponse(UsageReport, "Usage"), ...errorResponses },
});

/** The usage route. */
export function registerUsageRoutes(app: CoreApp): void {
  app.openapi(get, async (c) => {
    const query = c.req.valid("query");
    return c.json(await scoped(c, (ctx) => usageReport(ctx, query), { readOnly: true }), 200);
  });
}
