/**
 * A course's documents with how many tutor answers cited each in a window, so faculty see the material students
 * lean on and the material nobody reaches. Sorted by citations either way (`-citations`: most cited first), paged
 * by keyset over (citations, id); documents never cited count 0 and sort with the least cited.
 */
import { z } from "@hono/zod-openapi";
import { queryRows, sql } from "../../shared/db/client.ts";
import { errors } from "../../shared/errors.ts";
import type { ScopedContext } from "../academics/context.ts";
import { decodeCursor, encodeCursor, type PageParams, pageQuery } from "../academics/pagination.ts";
import { assertCourseInsight, daysAgo } from "./access.ts";

/** Query of `GET /v1/courses/{id}/insight/documents`. */
export const CitedDocumentsQuery = z.object({
  days: z.coerce.number().int().min(1).max(365).default(90)
    .openapi({ description: "Days to look back, today included (1–365)" }),
  sort: z.enum(["-citations", "citations"]).default("-citations")
    .openapi({ description: "`-citations`: most cited first; `citations`: least cited first" }),
  ...pageQuery,
});

/** One document and its citations. */
export const CitedDocument = z.object({
  id: z.uuid(),
  title: z.string(),
  status: z.string(),
  citations: z.number().int().openapi({ description: "Tutor answers that cited it in the window" }),
  lastCitedAt: z.string().nullable(),
}).openapi("CitedDocument");

const Cursor = z.tuple([z.enum(["-citations", "citations"]), z.number().int().min(0), z.uuid()]);

/** A page of the course's live documents by citations. */
export async function citedDocuments(
  ctx: ScopedContext,
  courseId: string,
  query: { days: number; sort: "-citations" | "citations" } & PageParams,
  now = new Date(),
): Promise<{ items: z.infer<typeof CitedDocument>[]; nextCursor: string | null }> {
  assertCourseInsight(ctx, courseId);
  const descending = query.sort === "-citations";
  let after = sql`true`;
  if (query.cursor) {
    const parsed = Cursor.safeParse(decodeCursor(query.cursor));
    if (!parsed.success || parsed.data[0] !== query.sort) {
      throw errors.badRequest("Cursor is not valid for this sort");
    }
    const [, citations, id] = parsed.data;
    after = descending
      ? sql`(x.citations, x.id) < (${citations}::int, ${id}::uuid)`
      : sql`(x.citations, x.id) > (${citations}::int, ${id}::uuid)`;
  }
  const dir = sql.raw(descending ? "desc" : "asc");
  const rows = await queryRows<
    { id: string; title: string; status: string; citations: number; last_cited_at: string | Date | null }
  >(
    ctx.tx,
    sql`with cites as (
          select c.value ->> 'documentId' as document_id, count(distinct m.id)::int as citations,
            max(m.created_at) as last_cited_at
          from chat_messages m cross join lateral jsonb_array_elements(
            case when jsonb_typeof(m.citations) = 'array' then m.citations else '[]'::jsonb end) c
          where m.course_id = ${courseId}::uuid and m.role = 'assistant'
            and m.created_at >= ${daysAgo(now, query.days - 1).toISOString()}::timestamptz
          group by 1)
        select * from (
          select d.id, d.title, d.status, coalesce(ci.citations, 0)::int as citations, ci.last_cited_at
          from documents d left join cites ci on ci.document_id = d.id::text
          where d.course_id = ${courseId}::uuid and d.deleted_at is null) x
        where ${after}
        order by x.citations ${dir}, x.id ${dir} limit ${query.limit + 1}`,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id,
      title: r.title,
      status: r.status,
      citations: Number(r.citations),
      lastCitedAt: r.last_cited_at === null ? null : new Date(r.last_cited_at).toISOString(),
    })),
    nextCursor: rows.length > query.limit && last
      ? encodeCursor([query.sort, Number(last.citations), last.id])
      : null,
  };
}
