import { createRoute, z } from "@hono/zod-openapi";
import { callerOf } from "../auth/caller.ts";
import { courseInviter } from "../accounts/invitations.ts";
import { ADMINS, contract, STAFF } from "../http/contract.ts";
import * as enrollments from "../academics/enrollments.ts";
import { importRoster as importRosterCsv, RosterReport } from "../academics/roster_import.ts";
import { COURSE_ROLES } from "../../shared/db/schema/academics.ts";
import { includeDeletedQuery, pageQuery } from "../academics/pagination.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import type { CoreApp, CoreServices } from "../services.ts";
import { revokeScopeGrant } from "../../shared/kv/cache_scope.ts";
import { errorResponses, IdParam, jsonResponse, pageSchema, scoped } from "./common.ts";

const tags = ["enrollments"];
const EnrollmentParams = IdParam.extend({
  enrollmentId: z.uuid().openapi({ param: { name: "enrollmentId", in: "path" } }),
});
const ListQuery = z.object({
  ...pageQuery,
  sort: z.string().optional().openapi({ description: "createdAt or email; prefix - for descending" }),
  role: z.enum(COURSE_ROLES).optional(),
  includeDeleted: includeDeletedQuery,
});

const list = createRoute({
  method: "get",
  path: "/v1/courses/{id}/enrollments",
  tags,
  summary: "List a managed course's enrollments",
  ...contract({ access: STAFF, cache: "private" }),
  request: { params: IdParam, query: ListQuery },
  responses: {
    200: jsonResponse(pageSchema(enrollments.Enrollment), "A page of enrollments"),
    ...errorResponses,
  },
});
const create = createRoute({
  method: "post",
  path: "/v1/courses/{id}/enrollments",
  tags,
  summary: "Enroll one user in a managed course",
  ...contract({ access: STAFF, created: "/api/v1/courses/{courseId}/enrollments/{id}" }),
  request: {
    params: IdParam,
    body: { content: { "application/json": { schema: enrollments.EnrollmentCreate } }, required: true },
  },
  responses: {
    201: jsonResponse(enrollments.Enrollment, "Enrolled"),
    202: jsonResponse(enrollments.InvitationSent, "No account has this email: an invitation was mailed"),
    ...errorResponses,
  },
});
const importRoster = createRoute({
  method: "post",
  path: "/v1/courses/{id}/enrollments/import",
  tags,
  summary: "Import a CSV roster (email,role per row) into a managed course; reports every row",
  ...contract({ access: STAFF }),
  request: {
    params: IdParam,
    body: {
      content: { "text/csv": { schema: z.string().openapi({ example: "email,role\na@uni.edu,student\n" }) } },
      required: true,
    },
  },
  responses: {
    200: jsonResponse(RosterReport, "Per-row report; the good rows were imported"),
    415: { description: "The body is not text/csv" },
    ...errorResponses,
  },
});
const update = createRoute({
  method: "patch",
  path: "/v1/courses/{id}/enrollments/{enrollmentId}",
  tags,
  summary: "Change a user's role in a managed course",
  ...contract({ access: STAFF }),
  request: {
    params: EnrollmentParams,
    body: { content: { "application/json": { schema: enrollments.EnrollmentPatch } }, required: true },
  },
  responses: { 200: jsonResponse(enrollments.Enrollment, "Changed"), ...errorResponses },
});
const remove = createRoute({
  method: "delete",
  path: "/v1/courses/{id}/enrollments/{enrollmentId}",
  tags,
  summary: "Soft-delete an enrollment of a managed course",
  ...contract({ access: STAFF }),
  request: { params: EnrollmentParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses },
});
const restore = createRoute({
  method: "post",
  path: "/v1/courses/{id}/enrollments/{enrollmentId}/restore",
  tags,
  summary: "Restore a soft-deleted enrollment (admins)",
  ...contract({ access: ADMINS }),
  request: { params: EnrollmentParams },
  responses: { 200: jsonResponse(enrollments.Enrollment, "Restored"), ...errorResponses },
});

/**
 * After an unenrolment commits, the edge must stop serving the course's cached answers to that user at once
 * (docs/edge-cache.md): their grant for the course scope is removed. When the KV store cannot be reached the
 * unenrolment still stands and the failure is logged: the edge cannot read grants during such an outage either
 * (it bypasses its cache), and a grant left behind lapses within `EDGE_CACHE_GRANT_SECONDS`.
 */
async function endCachedCourseAccess(
  services: Pick<CoreServices, "kv" | "logger">,
  userId: string,
  courseId: string,
): Promise<void> {
  try {
    await revokeScopeGrant(services.kv, userId, `course:${courseId}`);
  } catch (err) {
    services.logger.error("could not revoke an unenrolled user's cache grant", {
      userId,
      courseId,
      error: String(err),
    });
  }
}

/** Enrollment routes of a course, single and bulk (CSV roster). */
export function registerEnrollmentRoutes(app: CoreApp): void {
  app.openapi(list, async (c) => {
    const query = c.req.valid("query");
    const { id } = c.req.valid("param");
    return c.json(
      await scoped(c, (ctx) => enrollments.listEnrollments(ctx, id, query), { readOnly: true }),
      200,
    );
  });
  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    const { id } = c.req.valid("param");
    const invite = courseInviter(c.get("services"), callerOf(c));
    const outcome = await scoped(c, (ctx) => enrollments.createEnrollment(ctx, id, body, invite));
    return "invited" in outcome ? c.json(outcome, 202) : c.json(outcome, 201);
  });
  app.openapi(importRoster, async (c) => {
    const { id } = c.req.valid("param");
    const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "text/csv") {
      throw new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `Send the roster as text/csv, not "${type}"`);
    }
    const csv = await c.req.text();
    const invite = courseInviter(c.get("services"), callerOf(c));
    return c.json(await scoped(c, (ctx) => importRosterCsv(ctx, id, csv, invite)), 200);
  });
  app.openapi(update, async (c) => {
    const body = c.req.valid("json");
    const { id, enrollmentId } = c.req.valid("param");
    return c.json(await scoped(c, (ctx) => enrollments.updateEnrollment(ctx, id, enrollmentId, body)), 200);
  });
  app.openapi(remove, async (c) => {
    const { id, enrollmentId } = c.req.valid("param");
    const removed = await scoped(c, (ctx) => enrollments.deleteEnrollment(ctx, id, enrollmentId));
    await endCachedCourseAccess(c.get("services"), removed.userId, id);
    return c.body(null, 204);
  });
  app.openapi(restore, async (c) => {
    const { id, enrollmentId } = c.req.valid("param");
    return c.json(await scoped(c, (ctx) => enrollments.restoreEnrollment(ctx, id, enrollmentId)), 200);
  });
}
