/** Chat sessions and their messages: the student's own, bound to a course they can read. No HTTP here. */
import { and, asc, eq, isNull } from "drizzle-orm";
import {
  afterCursor,
  fixedSort,
  orderOf,
  pageOf,
  type PageParams,
  sortKeyOf,
} from "../academics/pagination.ts";
import { z } from "@hono/zod-openapi";
import { chatMessages, chatSessions } from "../../shared/db/schema/chat.ts";
import { errors } from "../../shared/errors.ts";
import { iso, type ScopedContext } from "../academics/context.ts";
import { findReadableCourse } from "../academics/courses.ts";

/** A citation as stored and returned with a message. */
export const CitationSchema = z.object({
  index: z.number().int(),
  chunkId: z.string(),
  documentId: z.string(),
  documentTitle: z.string(),
  page: z.number().int().nullable(),
  snippet: z.string(),
}).openapi("Citation");

/** A chat session as the API shows it. */
export const ChatSession = z.object({
  id: z.uuid(),
  courseId: z.uuid(),
  title: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("ChatSession");

/** One message of a session. */
export const ChatMessage = z.object({
  id: z.uuid(),
  role: z.enum(["user", "assistant"]),
  content: z.string(),
  citations: z.array(CitationSchema),
  status: z.enum(["complete", "interrupted", "failed"]),
  error: z.string().nullable(),
  refusal: z.string().nullable(),
  model: z.string().nullable(),
  cached: z.boolean(),
  createdAt: z.string(),
}).openapi("ChatMessage");

/** Input of `POST /v1/chat/sessions`. */
export const SessionCreate = z.object({
  courseId: z.uuid(),
  title: z.string().trim().min(1).max(200).optional(),
}).openapi({ example: { courseId: "5c3e1a7b-2f4d-4b8a-9e6c-1d2f3a4b5c6d", title: "Truss forces" } });

type SessionRow = typeof chatSessions.$inferSelect;
type MessageRow = typeof chatMessages.$inferSelect;

/** API shape of a session row. */
export function sessionView(row: SessionRow): z.infer<typeof ChatSession> {
  return {
    id: row.id,
    courseId: row.courseId,
    title: row.title,
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
  };
}

/** API shape of a message row. */
export function messageView(row: MessageRow): z.infer<typeof ChatMessage> {
  return {
    id: row.id,
    role: row.role,
    content: row.content,
    citations: row.citations as z.infer<typeof CitationSchema>[],
    status: row.status,
    error: row.error,
    refusal: row.refusal,
    model: row.model,
    cached: row.cached,
    createdAt: iso(row.createdAt)!,
  };
}

/** Opens a session in a course the caller can read (404 for any other, so course ids are not probed). */
export async function createSession(
  ctx: ScopedContext,
  input: z.infer<typeof SessionCreate>,
): Promise<SessionRow> {
  // The course must exist and be live, not only be in scope (an admin's scope is every id).
  await findReadableCourse(ctx, input.courseId);
  const [row] = await ctx.tx.insert(chatSessions).values({
    userId: ctx.caller.userId,
    courseId: input.courseId,
    title: input.title ?? "New chat",
  }).returning();
  await ctx.audit({
    action: "chat.session.create",
    target: `chat_session:${row.id}`,
    metadata: { courseId: row.courseId },
  });
  return row;
}

/** The caller's live sessions, most recently active first. */
export async function listSessions(
  ctx: ScopedContext,
  courseId: string | undefined,
  page: PageParams,
): Promise<{ rows: SessionRow[]; nextCursor: string | null }> {
  const sort = fixedSort("-updatedAt", chatSessions.updatedAt, "timestamptz", true);
  const rows = await ctx.tx.select({ row: chatSessions, id: chatSessions.id, sortKey: sortKeyOf(sort) })
    .from(chatSessions).where(and(
      eq(chatSessions.userId, ctx.caller.userId),
      isNull(chatSessions.deletedAt),
      courseId ? eq(chatSessions.courseId, courseId) : undefined,
      afterCursor(sort, chatSessions.id, page.cursor),
    )).orderBy(...orderOf(sort, chatSessions.id)).limit(page.limit + 1);
  const cut = pageOf(rows, page.limit, sort);
  return { rows: cut.rows.map((r) => r.row), nextCursor: cut.nextCursor };
}

/** One of the caller's live sessions, or 404 (another user's session is not found, not forbidden). */
export async function ownSession(ctx: ScopedContext, id: string): Promise<SessionRow> {
  const [row] = await ctx.tx.select().from(chatSessions).where(and(
    eq(chatSessions.id, id),
    eq(chatSessions.userId, ctx.caller.userId),
    isNull(chatSessions.deletedAt),
  )).limit(1);
  if (!row) throw errors.notFound("Chat session");
  return row;
}

/** The live messages of a session, oldest first. */
export async function sessionMessages(ctx: ScopedContext, sessionId: string): Promise<MessageRow[]> {
  return await ctx.tx.select().from(chatMessages)
    .where(and(eq(chatMessages.sessionId, sessionId), isNull(chatMessages.deletedAt)))
    .orderBy(asc(chatMessages.createdAt));
}

/** Soft-deletes one of the caller's sessions. */
export async function deleteSession(ctx: ScopedContext, id: string): Promise<void> {
  const session = await ownSession(ctx, id);
  await ctx.tx.update(chatSessions).set({ deletedAt: new Date() }).where(eq(chatSessions.id, session.id));
  await ctx.audit({
    action: "chat.session.delete",
    target: `chat_session:${id}`,
    metadata: { courseId: session.courseId },
  });
}
