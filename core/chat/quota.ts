/**
 * Daily question quotas per role (per user, all courses) and per course (all users together), counted over stored
 * student messages of the current UTC day. The count runs as the database owner: a course quota counts other
 * users' messages, which the caller's row-level security rightly hides. Count-then-insert is not atomic, so a burst
 * of parallel questions can pass a limit by a few; quotas bound cost, they are not a security boundary.
 */
import { queryRows, sql } from "../../shared/db/client.ts";
import type { Db } from "../../shared/db/client.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import type { Role } from "../../shared/identity.ts";
import type { ChatEnv } from "./env.ts";

/** Start of the current UTC day and of the next one. */
export function utcDay(now = new Date()): { start: Date; end: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { start, end: new Date(start.getTime() + 86_400_000) };
}

/** The daily limit of a role (0: none). */
export function roleQuota(env: ChatEnv, role: Role): number {
  if (role === "ADMIN") return env.CHAT_DAILY_QUOTA_ADMIN;
  if (role === "ACADEMIC") return env.CHAT_DAILY_QUOTA_ACADEMIC;
  return env.CHAT_DAILY_QUOTA_STUDENT;
}

/** The daily limit of a course (0: none). */
export function courseQuota(env: ChatEnv, courseId: string): number {
  return env.CHAT_COURSE_DAILY_QUOTAS.get(courseId) ?? env.CHAT_COURSE_DAILY_QUOTA;
}

/** Whether any daily quota can apply to a caller of this role (a per-course quota applies to everyone). */
export function quotaMayApply(env: ChatEnv, role: Role): boolean {
  return roleQuota(env, role) > 0 || env.CHAT_COURSE_DAILY_QUOTA > 0 ||
    [...env.CHAT_COURSE_DAILY_QUOTAS.values()].some((limit) => limit > 0);
}

/** Today's questions of the caller (all courses) and of the course (all users). */
async function countToday(
  db: Db,
  caller: { userId: string; courseId: string },
  start: Date,
): Promise<{ mine: number; course: number }> {
  const [row] = await queryRows<{ mine: number; course: number }>(
    db,
    sql`select
          count(*) filter (where user_id = ${caller.userId}::uuid)::int as mine,
          count(*) filter (where course_id = ${caller.courseId}::uuid)::int as course
        from chat_messages
        where role = 'user' and created_at >= ${start.toISOString()}::timestamptz
          and (user_id = ${caller.userId}::uuid or course_id = ${caller.courseId}::uuid)`,
  );
  return { mine: Number(row.mine), course: Number(row.course) };
}

/** What is left of the caller's questions today in a course: the tighter of their own and the course's quota. */
export interface QuotaLeft {
  /** The limit that binds first (null: no quota applies). */
  limit: number | null;
  /** Questions left under it today (null: no quota applies). */
  remaining: number | null;
  /** Whose quota binds first: the caller's own, or the course's shared one. */
  scope: "user" | "course" | null;
  /** When today's count starts again (the next UTC midnight). */
  resetsAt: string;
}

/** The caller's questions left today in a course (counted as `checkQuota` counts them). */
export async function quotaLeft(
  db: Db,
  env: ChatEnv,
  caller: { userId: string; role: Role; courseId: string },
  now = new Date(),
): Promise<QuotaLeft> {
  const userLimit = roleQuota(env, caller.role);
  const limitOfCourse = courseQuota(env, caller.courseId);
  const { start, end } = utcDay(now);
  const resetsAt = end.toISOString();
  if (userLimit === 0 && limitOfCourse === 0) return { limit: null, remaining: null, scope: null, resetsAt };
  const row = await countToday(db, caller, start);
  const options = [
    ...(userLimit > 0 ? [{ scope: "user" as const, limit: userLimit, left: userLimit - row.mine }] : []),
    ...(limitOfCourse > 0
      ? [{ scope: "course" as const, limit: limitOfCourse, left: limitOfCourse - row.course }]
      : []),
  ];
  const tightest = options.reduce((a, b) => b.left < a.left ? b : a);
  return { limit: tightest.limit, remaining: Math.max(0, tightest.left), scope: tightest.scope, resetsAt };
}

/** Throws 429 QUOTA_EXCEEDED (with `Retry-After` and the reset time) when the user or the course is at its limit. */
export async function checkQuota(
  db: Db,
  env: ChatEnv,
  caller: { userId: string; role: Role; courseId: string },
  now = new Date(),
): Promise<void> {
  const userLimit = roleQuota(env, caller.role);
  const limitOfCourse = courseQuota(env, caller.courseId);
  if (userLimit === 0 && limitOfCourse === 0) return;
  const { start, end } = utcDay(now);
  const row = await countToday(db, caller, start);
  const over = userLimit > 0 && Number(row.mine) >= userLimit
    ? { scope: "user", limit: userLimit }
    : limitOfCourse > 0 && Number(row.course) >= limitOfCourse
    ? { scope: "course", limit: limitOfCourse }
    : null;
  if (!over) return;
  const retryAfter = Math.max(1, Math.ceil((end.getTime() - now.getTime()) / 1000));
  throw new AppError(
    ErrorCode.QUOTA_EXCEEDED,
    over.scope === "user"
      ? `You have asked the tutor ${over.limit} questions today; the quota resets at ${end.toISOString()}`
      : `This course has used its ${over.limit} tutor questions for today; the quota resets at ${end.toISOString()}`,
    {
      details: {
        quota: over.scope,
        limit: over.limit,
        resetsAt: end.toISOString(),
        retryAfterSeconds: retryAfter,
      },
      headers: { "Retry-After": String(retryAfter) },
    },
  );
}
