/**
 * A course's activity report for its instructors: questions asked per ISO week (Monday, UTC), how many of them the
 * tutor could not answer from the material, and daily usage against the configured quotas. Counted on demand from
 * `chat_messages` in the caller's transaction; row-level security lets a course's managers read its messages.
 */
import { z } from "@hono/zod-openapi";
import { queryRows, sql } from "../../shared/db/client.ts";
import type { ScopedContext } from "../academics/context.ts";
import { courseQuota, courseQuotaSetting, roleQuota } from "../chat/quota.ts";
import type { ChatEnv } from "../chat/env.ts";
import { assertCourseInsight, daysAgo } from "./access.ts";

/** Query of `GET /v1/courses/{id}/insight`. */
export const InsightQuery = z.object({
  weeks: z.coerce.number().int().min(1).max(52).default(12)
    .openapi({ description: "Weeks of questions, this week included (1–52)" }),
  days: z.coerce.number().int().min(1).max(90).default(30)
    .openapi({ description: "Days of usage, today included (1–90)" }),
});

const InsightWeek = z.object({
  weekStart: z.string().openapi({ description: "Monday of the week (UTC)", example: "2026-11-30" }),
  questions: z.number().int(),
  askers: z.number().int().openapi({ description: "Distinct people who asked" }),
  unanswered: z.number().int().openapi({ description: "Refused because the material lacks the answer" }),
});

const InsightDay = z.object({
  day: z.string(),
  questions: z.number().int(),
  unitsIn: z.number().int(),
  unitsOut: z.number().int(),
  peakAsker: z.number().int().openapi({
    description: "Most questions one person asked in this course that day",
  }),
});

/** Response of `GET /v1/courses/{id}/insight`. */
export const CourseInsight = z.object({
  courseId: z.uuid(),
  weeks: z.array(InsightWeek),
  usage: z.object({
    unit: z.string().nullable().openapi({
      description: "`tokens` (a model) or `characters` (offline tutor)",
    }),
    courseDailyLimit: z.number().int().openapi({
      description: "Questions a day for the whole course (0: none)",
    }),
    studentDailyLimit: z.number().int().openapi({
      description: "Questions a day for one student across all courses (0: none)",
    }),
    days: z.array(InsightDay),
  }),
}).openapi("CourseInsight");

/** The activity report of a course the caller manages. */
export async function courseInsight(
  ctx: ScopedContext,
  env: ChatEnv,
  courseId: string,
  query: z.infer<typeof InsightQuery>,
  now = new Date(),
): Promise<z.infer<typeof CourseInsight>> {
  assertCourseInsight(ctx, courseId);
  const today = daysAgo(now, 0);
  const thisMonday = daysAgo(now, (today.getUTCDay() + 6) % 7);
  const firstWeek = new Date(thisMonday.getTime() - (query.weeks - 1) * 7 * 86_400_000);
  const firstDay = daysAgo(now, query.days - 1);
  const weeks = await queryRows<
    { week_start: string; questions: number; askers: number; unanswered: number }
  >(
    ctx.tx,
    sql`select to_char(w, 'YYYY-MM-DD') as week_start,
          count(m.id) filter (where m.role = 'user')::int as questions,
          count(distinct m.user_id) filter (where m.role = 'user')::int as askers,
          count(m.id) filter (where m.role = 'assistant' and m.refusal = 'not_found')::int as unanswered
        from generate_series(${firstWeek.toISOString().slice(0, 10)}::date::timestamp,
                             ${
      thisMonday.toISOString().slice(0, 10)
    }::date::timestamp, interval '1 week') as w
        left join chat_messages m on m.course_id = ${courseId}::uuid
          and m.created_at >= (w at time zone 'UTC') and m.created_at < ((w + interval '1 week') at time zone 'UTC')
        group by w order by w`,
  );
  const days = await queryRows<
    { day: string; questions: number; units_in: number; units_out: number; peak: number; unit: string | null }
  >(
    ctx.tx,
    sql`with per_user as (
          select (created_at at time zone 'UTC')::date as day, user_id,
            count(*) filter (where role = 'user')::int as questions,
            coalesce(sum(units_in) filter (where role = 'assistant'), 0)::int as units_in,
            coalesce(sum(units_out) filter (where role = 'assistant'), 0)::int as units_out,
            max(usage_unit) as unit
          from chat_messages
          where course_id = ${courseId}::uuid and created_at >= ${firstDay.toISOString()}::timestamptz
          group by 1, 2)
        select to_char(d, 'YYYY-MM-DD') as day, coalesce(sum(p.questions), 0)::int as questions,
          coalesce(sum(p.units_in), 0)::int as units_in, coalesce(sum(p.units_out), 0)::int as units_out,
          coalesce(max(p.questions), 0)::int as peak, max(p.unit) as unit
        from generate_series(${firstDay.toISOString().slice(0, 10)}::date,
                             ${today.toISOString().slice(0, 10)}::date, interval '1 day') as d
        left join per_user p on p.day = d::date
        group by d order by d`,
  );
  return {
    courseId,
    weeks: weeks.map((w) => ({
      weekStart: w.week_start,
      questions: Number(w.questions),
      askers: Number(w.askers),
      unanswered: Number(w.unanswered),
    })),
    usage: {
      unit: days.find((d) => d.unit !== null)?.unit ?? null,
      courseDailyLimit: courseQuota(env, courseId, await courseQuotaSetting(ctx.tx, courseId)),
      studentDailyLimit: roleQuota(env, "STUDENT"),
      days: days.map((d) => ({
        day: d.day,
        questions: Number(d.questions),
        unitsIn: Number(d.units_in),
        unitsOut: Number(d.units_out),
        peakAsker: Number(d.peak),
      })),
    },
  };
}
