/**
 * The questions the tutor refused because the course material holds no answer (`refusal = 'not_found'`), grouped
 * so that faculty see each gap once with how often and by how many people it was asked. The asking students stay
 * anonymous: a group carries counts and example wordings, never who asked.
 */
import { z } from "@hono/zod-openapi";
import { queryRows, sql } from "../../shared/db/client.ts";
import { errors } from "../../shared/errors.ts";
import type { ScopedContext } from "../academics/context.ts";
import { decodeCursor, encodeCursor, type PageParams, pageQuery } from "../academics/pagination.ts";
import { assertCourseInsight, daysAgo } from "./access.ts";
import { groupQuestions } from "./question_groups.ts";

/** How many of the newest refused questions one request groups; older ones fall outside the picture. */
export const GAP_QUESTION_CAP = 5000;

/** Query of `GET /v1/courses/{id}/insight/gaps`. */
export const GapsQuery = z.object({
  days: z.coerce.number().int().min(1).max(365).default(90)
    .openapi({ description: "Days to look back, today included (1–365)" }),
  ...pageQuery,
});

/** One group of similar unanswered questions. */
export const QuestionGap = z.object({
  keywords: z.array(z.string()).openapi({ description: "Words most of the group's questions share" }),
  examples: z.array(z.string()).openapi({ description: "Up to three distinct wordings, newest first" }),
  count: z.number().int(),
  askers: z.number().int(),
  lastAskedAt: z.string(),
}).openapi("QuestionGap");

/**
 * A page of gaps, largest first. Groups are computed per request from the refused questions of the window, so the
 * cursor is a position in that order (a group asked again between two pages may move by one).
 */
export async function questionGaps(
  ctx: ScopedContext,
  courseId: string,
  query: { days: number } & PageParams,
  now = new Date(),
): Promise<{ items: z.infer<typeof QuestionGap>[]; nextCursor: string | null }> {
  assertCourseInsight(ctx, courseId);
  const offset = decodeOffset(query.cursor);
  const rows = await queryRows<{ content: string; user_id: string; created_at: string | Date }>(
    ctx.tx,
    sql`select q.content, a.user_id, a.created_at
        from chat_messages a
        join lateral (
          select u.content from chat_messages u
          where u.session_id = a.session_id and u.role = 'user' and u.created_at <= a.created_at
          order by u.created_at desc limit 1) q on true
        where a.course_id = ${courseId}::uuid and a.role = 'assistant' and a.refusal = 'not_found'
          and a.created_at >= ${daysAgo(now, query.days - 1).toISOString()}::timestamptz
        order by a.created_at desc limit ${GAP_QUESTION_CAP}`,
  );
  const groups = groupQuestions(
    rows.map((r) => ({ text: r.content, userId: r.user_id, askedAt: new Date(r.created_at) })),
  );
  const page = groups.slice(offset, offset + query.limit);
  return {
    items: page.map((g) => ({ ...g, lastAskedAt: g.lastAskedAt.toISOString() })),
    nextCursor: offset + query.limit < groups.length ? encodeCursor(["gaps", offset + query.limit]) : null,
  };
}

function decodeOffset(cursor: string | undefined): number {
  if (!cursor) return 0;
  const parsed = z.tuple([z.literal("gaps"), z.int().nonnegative()]).safeParse(decodeCursor(cursor));
  if (!parsed.success) throw errors.badRequest("Cursor is not valid");
  return parsed.data[1];
}
