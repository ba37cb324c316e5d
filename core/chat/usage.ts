/**
 * Usage per user, course and UTC day, aggregated on demand from assistant messages (no separate counter table to
 * keep in step). Who sees what: one's own rows; a course's managers every row of that course; admins everything.
 * Row-level security on `chat_messages` enforces the same underneath.
 */
import { z } from "@hono/zod-openapi";
import { queryRows, sql } from "../../shared/db/client.ts";
import { errors } from "../../shared/errors.ts";
import type { ScopedContext } from "../academics/context.ts";

/** Query of `GET /v1/usage`. */
export const UsageQuery = z.object({
  courseId: z.uuid().optional(),
  from: z.iso.date().optional().openapi({ description: "First UTC day (default: 30 days ago)" }),
  to: z.iso.date().optional().openapi({ description: "Last UTC day (default: today)" }),
});

/** One aggregated row. */
export const UsageRow = z.object({
  day: z.string(),
  userId: z.uuid(),
  courseId: z.uuid(),
  turns: z.number().int(),
  cachedTurns: z.number().int(),
  failedTurns: z.number().int(),
  unit: z.string().nullable(),
  unitsIn: z.number().int(),
  unitsOut: z.number().int(),
  avgLatencyMs: z.number().nullable(),
  models: z.array(z.string()),
}).openapi("UsageRow");

/** Response of `GET /v1/usage`. */
export const UsageReport = z.object({
  scope: z.enum(["own", "course", "global"]),
  from: z.string(),
  to: z.string(),
  rows: z.array(UsageRow),
}).openapi("UsageReport");

type RawRow = {
  day: string;
  user_id: string;
  course_id: string;
  turns: number;
  cached_turns: number;
  failed_turns: number;
  unit: string | null;
  units_in: number;
  units_out: number;
  avg_latency_ms: number | null;
  models: string[] | string | null;
};

/** The usage report the caller may see. */
export async function usageReport(
  ctx: ScopedContext,
  query: z.infer<typeof UsageQuery>,
): Promise<z.infer<typeof UsageReport>> {
  const today = new Date().toISOString().slice(0, 10);
  const to = query.to ?? today;
  const from = query.from ?? new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
  let scope: "own" | "course" | "global";
  let filter;
  if (query.courseId) {
    if (!ctx.scope.canReadCourse(query.courseId)) throw errors.notFound("Course");
    if (!ctx.scope.canManageCourse(query.courseId)) {
      throw errors.forbidden("Only the course's instructors see its usage");
    }
    scope = "course";
    filter = sql`course_id = ${query.courseId}::uuid`;
  } else if (ctx.scope.isAdmin) {
    scope = "global";
    filter = sql`true`;
  } else {
    scope = "own";
    filter = sql`user_id = ${ctx.caller.userId}::uuid`;
  }
  const rows = await queryRows<RawRow>(
    ctx.tx,
    sql`select to_char((created_at at time zone 'UTC')::date, 'YYYY-MM-DD') as day, user_id, course_id,
          count(*)::int as turns,
          count(*) filter (where cached)::int as cached_turns,
          count(*) filter (where status = 'failed')::int as failed_turns,
          max(usage_unit) as unit,
          coalesce(sum(units_in), 0)::int as units_in, coalesce(sum(units_out), 0)::int as units_out,
          round(avg(latency_ms))::float8 as avg_latency_ms,
          array_remove(array_agg(distinct model), null) as models
        from chat_messages
        where role = 'assistant' and ${filter}
          and created_at >= (${from}::date::timestamp at time zone 'UTC')
          and created_at < ((${to}::date + 1)::timestamp at time zone 'UTC')
        group by 1, 2, 3 order by 1 desc, 2, 3 limit 5000`,
  );
  return {
    scope,
    from,
    to,
    rows: rows.map((r) => ({
      day: r.day,
      userId: r.user_id,
      courseId: r.course_id,
      turns: Number(r.turns),
      cachedTurns: Number(r.cached_turns),
      failedTurns: Number(r.failed_turns),
      unit: r.unit,
      unitsIn: Number(r.units_in),
      unitsOut: Number(r.units_out),
      avgLatencyMs: r.avg_latency_ms === null ? null : Number(r.avg_latency_ms),
      models: parseArray(r.models),
    })),
  };
}

// postgres.js returns text[] as an array; PGlite may too, but a literal "{a,b}" is handled for safety.
function parseArray(value: string[] | string | null): string[] {
  if (value === null) return [];
  if (Array.isArray(value)) return value;
  return value.replace(/^\{|\}$/g, "").split(",").filter(Boolean).map((s) => s.replace(/^"|"$/g, ""));
}
