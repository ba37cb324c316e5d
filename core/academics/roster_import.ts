/** Bulk enrollment from a CSV roster, with a report of every row. */
import { and, eq, inArray, isNull } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import { COURSE_ROLES, enrollments } from "../../shared/db/schema/academics.ts";
import { users } from "../../shared/db/schema/users.ts";
import { errors } from "../../shared/errors.ts";
import type { ScopedContext } from "./context.ts";
import { findManageableCourse } from "./courses.ts";
import { type CourseRole, type InviteUnknown, roleProblem } from "./enrollments.ts";
import { MAX_ROSTER_ROWS, parseRoster } from "./roster_csv.ts";

/** One row of a roster import's report. */
export const RosterReportRow = z.object({
  line: z.number().int(),
  email: z.string(),
  role: z.string(),
  ok: z.boolean(),
  enrollmentId: z.uuid().optional(),
  /** The email had no account: an invitation was mailed; accepting it enrols them. */
  invitationId: z.uuid().optional(),
  error: z.object({
    code: z.enum([
      "invalid_email",
      "unknown_user",
      "wrong_role",
      "duplicate_row",
      "already_enrolled",
      "rate_limited",
    ]),
    message: z.string(),
  }).optional(),
}).openapi("RosterReportRow");
/** The report of a roster import. */
export const RosterReport = z.object({
  total: z.number().int(),
  imported: z.number().int(),
  /** Rows whose email had no account and was invited (counted in `imported`). */
  invited: z.number().int(),
  failed: z.number().int(),
  rows: z.array(RosterReportRow),
}).openapi("RosterReport");
type RosterReportRow = z.infer<typeof RosterReportRow>;

const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

/**
 * Imports a roster (CSV `email,role`) into a managed course: every row is checked and reported; the good rows are
 * enrolled in one insert, the bad ones (invalid email, unknown user, wrong role, duplicate row, already enrolled) are
 * reported and skipped. With `inviteUnknown`, emails without an account are invited (mailed a link that creates
 * the account already enrolled) instead of reported as unknown.
 */
export async function importRoster(
  ctx: ScopedContext,
  courseId: string,
  csv: string,
  inviteUnknown?: InviteUnknown,
): Promise<z.infer<typeof RosterReport>> {
  const course = await findManageableCourse(ctx, courseId);
  const rows = parseRoster(csv);
  if (rows.length === 0) throw errors.badRequest("The roster has no rows");
  if (rows.length > MAX_ROSTER_ROWS) {
    throw errors.badRequest(`The roster has more than ${MAX_ROSTER_ROWS} rows`);
  }
  const emails = [...new Set(rows.map((r) => r.email).filter((e) => EMAIL.test(e)))];
  const found = emails.length === 0
    ? []
    : await ctx.tx.select({ id: users.id, email: users.email, role: users.role })
      .from(users).where(and(inArray(users.email, emails), isNull(users.deletedAt)));
  const byEmail = new Map(found.map((u) => [u.email, u]));
  const enrolled = found.length === 0
    ? []
    : await ctx.tx.select({ userId: enrollments.userId }).from(enrollments)
      .where(and(
        eq(enrollments.courseId, courseId),
        inArray(enrollments.userId, found.map((u) => u.id)),
        isNull(enrollments.deletedAt),
      ));
  const alreadyEnrolled = new Set(enrolled.map((e) => e.userId));
  const seen = new Set<string>();
  let invitedCount = 0;
  const report: RosterReportRow[] = [];
  const toInsert: { row: RosterReportRow; userId: string; role: CourseRole }[] = [];
  for (const { line, email, role } of rows) {
    const entry: RosterReportRow = { line, email, role, ok: false };
    report.push(entry);
    const fail = (code: NonNullable<RosterReportRow["error"]>["code"], message: string) => {
      entry.error = { code, message };
    };
    if (!EMAIL.test(email)) {
      fail("invalid_email", `"${email}" is not an email address`);
      continue;
    }
    if (seen.has(email)) {
      fail("duplicate_row", `"${email}" appears earlier in the file`);
      continue;
    }
    seen.add(email);
    const user = byEmail.get(email);
    if (!(COURSE_ROLES as readonly string[]).includes(role)) {
      fail("wrong_role", `Role "${role}" is not one of ${COURSE_ROLES.join(", ")}`);
      continue;
    }
    if (!user && inviteUnknown) {
      const sent = await inviteUnknown(ctx.tx, {
        email,
        courseId,
        courseTitle: course.title,
        role: role as CourseRole,
      });
      if (!sent) {
        fail("rate_limited", `Too many invitations to "${email}" or from you; try again later`);
        continue;
      }
      entry.ok = true;
      entry.invitationId = sent.invitationId;
      invitedCount++;
      continue;
    }
    if (!user) {
      fail("unknown_user", `No user "${email}"`);
      continue;
    }
    const problem = roleProblem(user.role, role as CourseRole);
    if (problem) {
      fail("wrong_role", problem);
      continue;
    }
    if (alreadyEnrolled.has(user.id)) {
      fail("already_enrolled", `"${email}" is already enrolled in this course`);
      continue;
    }
    toInsert.push({ row: entry, userId: user.id, role: role as CourseRole });
  }
  if (toInsert.length > 0) {
    // Conflict-tolerant so a concurrent enrollment of the same user turns into a reported row, not a failed import.
    const inserted = await ctx.tx.insert(enrollments)
      .values(toInsert.map((r) => ({ userId: r.userId, courseId, role: r.role })))
      .onConflictDoNothing().returning({ id: enrollments.id, userId: enrollments.userId });
    const idByUser = new Map(inserted.map((r) => [r.userId, r.id]));
    for (const item of toInsert) {
      const id = idByUser.get(item.userId);
      if (id) {
        item.row.ok = true;
        item.row.enrollmentId = id;
      } else {item.row.error = {
          code: "already_enrolled",
          message: `"${item.row.email}" is already enrolled`,
        };}
    }
  }
  const imported = report.filter((r) => r.ok).length;
  await ctx.audit({
    action: "enrollment.import",
    target: `course:${courseId}`,
    metadata: {
      total: report.length,
      imported,
      failed: report.length - imported,
      invited: invitedCount,
      enrolled: toInsert.filter((r) => r.row.ok).map((r) => ({ userId: r.userId, role: r.role })),
    },
  });
  return {
    total: report.length,
    imported,
    invited: invitedCount,
    failed: report.length - imported,
    rows: report,
  };
}
