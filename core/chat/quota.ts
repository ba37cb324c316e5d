/**
 * Daily question quotas per role (per user, all courses) and per course (all users together), counted over stored
 * student messages of the current UTC day. A course's quota is its instructors' setting (the tutor policy's
 * `dailyQuestionQuota`) when they set one, else the server's (CHAT_COURSE_DAILY_QUOTAS, CHAT_COURSE_DAILY_QUOTA). The count runs as the database owner: a course quota counts other
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

/** The server's daily limit of a course (0: none), which the course's own setting overrides. */
export function serverCourseQuota(env: ChatEnv, courseId: string): number {
  return env.CHAT_COURSE_DAILY_QUOTAS.get(courseId) ?? env.CHAT_COURSE_DAILY_QUOTA;
}

/** The daily limit of a course (0: none): its instructors' setting (`setting`, null when unset), else the server's. */
export function courseQuota(env: ChatEnv, courseId: string, setting: number | null = null): number {
  return setting ?? serverCourseQuota(env, courseId);
}

/** The course's own daily quota setting (null: it follows the server's). */
export async function courseQuotaSetting(db: Db, courseId: string): Promise<number | null> {
  const [row] = await queryRows<{ quota: number | null }>(
    db,
    sql`select daily_question_quota as quota from course_tutor_settings
        where course_id = ${courseId}::uuid and deleted_at is null limit 1`,
  );
  return row?.quota ?? null;
}

/** Today's questions of the caller (all courses) and of the course (all users), and the course's quota setting. */
async function countToday(
  db: Db,
  caller: { userId: string; courseId: string },
  start: Date,
): Promise<{ mine: number; course: number; setting: number | null }> {
  const [row] = await queryRows<{ mine: number; course: number; setting: number | null }>(
    db,
    sql`select
          count(*) filter (where user_id = ${caller.userId}::uuid)::int as mine,
          count(*) filter (where course_id = ${caller.courseId}::uuid)::int as course,
          (select daily_question_quota from course_tutor_settings
            where course_id = ${caller.courseId}::uuid and deleted_at is null limit 1) as setting
        from chat_messages
        where role = 'user' and created_at >= ${start.toISOString()}::timestamptz
          and (user_id = ${caller.userId}::uuid or course_id = ${caller.courseId}::uuid)`,
  );
  return {
    mine: Number(row.mine),
    course: Number(row.course),
    setting: row.setting === null || row.setting === undefined ? null : Number(row.setting),
  };
}

/** Both limits that apply to the caller today (0: none), today's counts under each, and when the day ends. */
async function today(
  db: Db,
  env: ChatEnv,
  caller: { userId: string; role: Role; courseId: string },
  now: Date,
): Promise<{ userLimit: number; courseLimit: number; mine: number; course: number; end: Date }> {
  const { start, end } = utcDay(now);
  const counts = await countToday(db, caller, start);
  return {
    userLimit: roleQuota(env, caller.role),
    courseLimit: courseQuota(env, caller.courseId, counts.setting),
    mine: counts.mine,
    course: counts.course,
    end,
  };
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

/** The caller's questions left today in a course (counted as `ownSessionQuota` counts them). */
export async function quotaLeft(
  db: Db,
  env: ChatEnv,
  caller: { userId: string; role: Role; courseId: string },
  now = new Date(),
): Promise<QuotaLeft> {
  const { userLimit, courseLimit: limitOfCourse, mine, course, end } = await today(db, env, caller, now);
  const resetsAt = end.toISOString();
  if (userLimit === 0 && limitOfCourse === 0) return { limit: null, remaining: null, scope: null, resetsAt };
  const options = [
    ...(userLimit > 0 ? [{ scope: "user" as const, limit: userLimit, left: userLimit - mine }] : []),
    ...(limitOfCourse > 0
      ? [{ scope: "course" as const, limit: limitOfCourse, left: limitOfCourse - course }]
      : []),
  ];
  const tightest = options.reduce((a, b) => b.left < a.left ? b : a);
  return { limit: tightest.limit, remaining: Math.max(0, tightest.left), scope: tightest.scope, resetsAt };
}

/** Today's limits and counts of one caller in one course, as `assertWithinQuota` judges them. */
export interface QuotaDay {
  userLimit: number;
  courseLimit: number;
  mine: number;
  course: number;
  end: Date;
}

/**
 * A session of the caller's (live, their own) with today's quota counts, in one statement as the database owner;
 * null when the session is not theirs. Counts only what a limit applies to: the caller's day when their role has a
 * quota, the course's whole day when the course has one (its setting, else the server's).
 */
export async function ownSessionQuota(
  db: Db,
  env: ChatEnv,
  caller: { userId: string; role: Role },
  sessionId: string,
  now = new Date(),
): Promise<({ courseId: string } & QuotaDay) | null> {
  const { start, end } = utcDay(now);
  const userLimit = roleQuota(env, caller.role);
  const overrides = JSON.stringify(Object.fromEntries(env.CHAT_COURSE_DAILY_QUOTAS));
  const [row] = await queryRows<
    { course_id: string; course_limit: number | string; mine: number | null; course: number | null }
  >(
    db,
    sql`select s.course_id, q.course_limit,
          case when ${userLimit}::int > 0 then (select count(*) from chat_messages m
            where m.user_id = s.user_id and m.role = 'user' and m.created_at >= ${start.toISOString()}::timestamptz)
          end::int as mine,
          case when q.course_limit > 0 then (select count(*) from chat_messages m
            where m.course_id = s.course_id and m.role = 'user' and m.created_at >= ${start.toISOString()}::timestamptz)
          end::int as course
        from chat_sessions s
        cross join lateral (select coalesce(
          (select t.daily_question_quota from course_tutor_settings t
            where t.course_id = s.course_id and t.deleted_at is null limit 1),
          (${overrides}::jsonb ->> s.course_id::text)::int,
          ${env.CHAT_COURSE_DAILY_QUOTA}::int) as course_limit) q
        where s.id = ${sessionId}::uuid and s.user_id = ${caller.userId}::uuid and s.deleted_at is null`,
  );
  if (!row) return null;
  return {
    courseId: row.course_id,
    userLimit,
    courseLimit: Number(row.course_limit),
    mine: Number(row.mine ?? 0),
    course: Number(row.course ?? 0),
    end,
  };
}

/** Throws 429 QUOTA_EXCEEDED (with `Retry-After` and the reset time) when a day's count has reached its limit. */
export function assertWithinQuota(day: QuotaDay, now = new Date()): void {
  const { userLimit, courseLimit: limitOfCourse, mine, course, end } = day;
  if (userLimit === 0 && limitOfCourse === 0) return;
  const over = userLimit > 0 && mine >= userLimit
    ? { scope: "user", limit: userLimit }
    : limitOfCourse > 0 && course >= limitOfCourse
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
