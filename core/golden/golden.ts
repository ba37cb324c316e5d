/**
 * Golden sets per course: the questions faculty keep with the passage (and optionally the answer) they expect, and
 * the runs that evaluate them. Everything here runs in the caller's scoped transaction; only the course's managers
 * and admins get in (students and other staff see the course as absent or forbidden, like the rest of the API).
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import type { Db } from "../../shared/db/client.ts";
import { courses } from "../../shared/db/schema/academics.ts";
import { goldenQuestions, goldenResults, goldenRuns } from "../../shared/db/schema/golden.ts";
import { documentChunks, documents } from "../../shared/db/schema/rag.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import {
  afterCursor,
  fixedSort,
  orderOf,
  pageOf,
  type PageParams,
  sortKeyOf,
} from "../academics/pagination.ts";
import type { ScopedContext } from "../academics/context.ts";
import { hasGoldenQuestions, queueGoldenRun } from "../../shared/golden/queue.ts";

type QuestionRow = typeof goldenQuestions.$inferSelect;
type RunRow = typeof goldenRuns.$inferSelect;
type ResultRow = typeof goldenResults.$inferSelect;

/** What faculty write for a question: a document and quote, or a chunk whose text becomes the quote. */
export const GoldenQuestionCreate = z.object({
  question: z.string().trim().min(3).max(2000),
  documentId: z.uuid().optional(),
  expectedQuote: z.string().trim().min(3).max(2000).optional()
    .openapi({ description: "An excerpt of the passage retrieval should find (within one chunk)" }),
  chunkId: z.uuid().optional()
    .openapi({ description: "A chunk of the expected passage; its document and text are kept, not its id" }),
  expectedAnswer: z.string().trim().min(1).max(500).optional(),
}).refine((v) => v.expectedQuote !== undefined || v.chunkId !== undefined, {
  message: "Give the expected passage: expectedQuote (with or without documentId) or chunkId",
  path: ["expectedQuote"],
});
/** Fields a question may change; `null` clears the document or the expected answer. */
export const GoldenQuestionPatch = z.object({
  question: z.string().trim().min(3).max(2000).optional(),
  documentId: z.uuid().nullable().optional(),
  expectedQuote: z.string().trim().min(3).max(2000).optional(),
  expectedAnswer: z.string().trim().min(1).max(500).nullable().optional(),
});

/** Public shape of a question. */
export function questionView(row: QuestionRow) {
  return {
    id: row.id,
    courseId: row.courseId,
    question: row.question,
    documentId: row.documentId,
    expectedQuote: row.expectedQuote,
    expectedAnswer: row.expectedAnswer,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Public shape of a run (without its per-question results). */
export function runView(row: RunRow) {
  return {
    id: row.id,
    courseId: row.courseId,
    trigger: row.trigger,
    status: row.status,
    jobId: row.jobId,
    corpusVersion: row.corpusVersion,
    model: row.model,
    k: row.k,
    totals: row.totals ?? null,
    previousRunId: row.previousRunId,
    dropped: row.dropped,
    regressions: row.regressions,
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

function resultView(row: ResultRow) {
  return {
    questionId: row.questionId,
    question: row.question,
    rank: row.rank,
    found: row.rank !== null,
    answer: row.answer,
    answerHit: row.answerHit,
    refused: row.refused,
    refusal: row.refusal,
  };
}

/** 404 when the caller cannot see the course, 403 when they see it but do not manage it. */
function requireManager(ctx: ScopedContext, courseId: string): void {
  if (!ctx.scope.canReadCourse(courseId)) throw new AppError(ErrorCode.NOT_FOUND, "Course not found");
  if (!ctx.scope.canManageCourse(courseId)) {
    throw new AppError(ErrorCode.FORBIDDEN, "Only the course's instructors may use its golden set");
  }
}

async function liveCourse(tx: Db, courseId: string) {
  const [course] = await tx.select().from(courses).where(
    and(eq(courses.id, courseId), isNull(courses.deletedAt)),
  );
  if (!course) throw new AppError(ErrorCode.NOT_FOUND, "Course not found");
  return course;
}

async function checkDocument(tx: Db, courseId: string, documentId: string): Promise<void> {
  const [doc] = await tx.select({ id: documents.id }).from(documents).where(and(
    eq(documents.id, documentId),
    eq(documents.courseId, courseId),
    isNull(documents.deletedAt),
  ));
  if (!doc) throw new AppError(ErrorCode.VALIDATION_FAILED, `Document "${documentId}" is not in this course`);
}

/** The course's golden questions, oldest first. */
export async function listQuestions(ctx: ScopedContext, courseId: string, page: PageParams) {
  requireManager(ctx, courseId);
  const sort = fixedSort("createdAt", goldenQuestions.createdAt, "timestamptz", false);
  const rows = await ctx.tx.select({ row: goldenQuestions, id: goldenQuestions.id, sortKey: sortKeyOf(sort) })
    .from(goldenQuestions).where(and(
      eq(goldenQuestions.courseId, courseId),
      isNull(goldenQuestions.deletedAt),
      afterCursor(sort, goldenQuestions.id, page.cursor),
    )).orderBy(...orderOf(sort, goldenQuestions.id)).limit(page.limit + 1);
  const cut = pageOf(rows, page.limit, sort);
  return { items: cut.rows.map((r) => questionView(r.row)), nextCursor: cut.nextCursor };
}

/** Adds a question; a chunk reference is resolved to its document and text now, since chunk ids change. */
export async function createQuestion(
  ctx: ScopedContext,
  courseId: string,
  input: z.output<typeof GoldenQuestionCreate>,
) {
  requireManager(ctx, courseId);
  await liveCourse(ctx.tx, courseId);
  let documentId = input.documentId ?? null;
  let quote = input.expectedQuote;
  if (input.chunkId) {
    const [chunk] = await ctx.tx.select({ documentId: documentChunks.documentId, text: documentChunks.text })
      .from(documentChunks).where(
        and(eq(documentChunks.id, input.chunkId), eq(documentChunks.courseId, courseId)),
      );
    if (!chunk) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, `Chunk "${input.chunkId}" is not in this course`);
    }
    documentId = chunk.documentId;
    quote ??= quoteOfChunk(chunk.text);
  }
  if (documentId) await checkDocument(ctx.tx, courseId, documentId);
  const [row] = await ctx.tx.insert(goldenQuestions).values({
    courseId,
    question: input.question,
    documentId,
    expectedQuote: quote!,
    expectedAnswer: input.expectedAnswer ?? null,
    createdBy: ctx.caller.userId,
  }).returning();
  await ctx.audit({
    action: "golden.question.create",
    target: `golden_question:${row.id}`,
    metadata: { courseId },
  });
  return questionView(row);
}

/** The first sentence-ish stretch of a chunk (up to 200 characters, cut at a word), kept as its quote. */
export function quoteOfChunk(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= 200) return flat;
  const cut = flat.slice(0, 200);
  return cut.slice(0, Math.max(cut.lastIndexOf(" "), 50));
}

async function loadQuestion(ctx: ScopedContext, id: string): Promise<QuestionRow> {
  const [row] = await ctx.tx.select().from(goldenQuestions).where(and(
    eq(goldenQuestions.id, id),
    isNull(goldenQuestions.deletedAt),
  ));
  // RLS hides other courses' questions; the scope check answers the same for a student as for a stranger.
  if (!row || !ctx.scope.canManageCourse(row.courseId)) {
    throw new AppError(ErrorCode.NOT_FOUND, "Golden question not found");
  }
  return row;
}

/** Changes a question. */
export async function updateQuestion(
  ctx: ScopedContext,
  id: string,
  patch: z.output<typeof GoldenQuestionPatch>,
) {
  const row = await loadQuestion(ctx, id);
  if (patch.documentId) await checkDocument(ctx.tx, row.courseId, patch.documentId);
  const [updated] = await ctx.tx.update(goldenQuestions).set({
    ...(patch.question !== undefined ? { question: patch.question } : {}),
    ...(patch.documentId !== undefined ? { documentId: patch.documentId } : {}),
    ...(patch.expectedQuote !== undefined ? { expectedQuote: patch.expectedQuote } : {}),
    ...(patch.expectedAnswer !== undefined ? { expectedAnswer: patch.expectedAnswer } : {}),
    updatedAt: new Date(),
  }).where(eq(goldenQuestions.id, id)).returning();
  await ctx.audit({ action: "golden.question.update", target: `golden_question:${id}` });
  return questionView(updated);
}

/** Soft-deletes a question (past results keep their copy of its text). */
export async function deleteQuestion(ctx: ScopedContext, id: string): Promise<void> {
  await loadQuestion(ctx, id);
  await ctx.tx.update(goldenQuestions).set({ deletedAt: new Date() }).where(eq(goldenQuestions.id, id));
  await ctx.audit({ action: "golden.question.delete", target: `golden_question:${id}` });
}

/** `POST /v1/courses/:id/golden-runs`: queues a run now (409 when the set is empty). */
export async function startRun(ctx: ScopedContext, courseId: string) {
  requireManager(ctx, courseId);
  const course = await liveCourse(ctx.tx, courseId);
  if (!await hasGoldenQuestions(ctx.tx, courseId)) {
    throw new AppError(ErrorCode.CONFLICT, "The course has no golden questions to run");
  }
  const out = await queueGoldenRun(ctx.tx, {
    courseId,
    facultyId: course.facultyId,
    trigger: "manual",
    requestedBy: ctx.caller.userId,
  });
  await ctx.audit({ action: "golden.run.start", target: `golden_run:${out.run.id}`, metadata: { courseId } });
  return { run: runView(out.run), jobId: out.jobId };
}

/** The course's runs, newest first. */
export async function listRuns(ctx: ScopedContext, courseId: string, page: PageParams) {
  requireManager(ctx, courseId);
  const sort = fixedSort("-createdAt", goldenRuns.createdAt, "timestamptz", true);
  const rows = await ctx.tx.select({ row: goldenRuns, id: goldenRuns.id, sortKey: sortKeyOf(sort) })
    .from(goldenRuns).where(and(
      eq(goldenRuns.courseId, courseId),
      isNull(goldenRuns.deletedAt),
      afterCursor(sort, goldenRuns.id, page.cursor),
    )).orderBy(...orderOf(sort, goldenRuns.id)).limit(page.limit + 1);
  const cut = pageOf(rows, page.limit, sort);
  return { items: cut.rows.map((r) => runView(r.row)), nextCursor: cut.nextCursor };
}

/** One run with its per-question results. */
export async function getRun(ctx: ScopedContext, runId: string) {
  const [run] = await ctx.tx.select().from(goldenRuns).where(
    and(eq(goldenRuns.id, runId), isNull(goldenRuns.deletedAt)),
  );
  if (!run || !ctx.scope.canManageCourse(run.courseId)) {
    throw new AppError(ErrorCode.NOT_FOUND, "Golden run not found");
  }
  const results = await ctx.tx.select().from(goldenResults).where(eq(goldenResults.runId, runId))
    .orderBy(asc(goldenResults.createdAt), asc(goldenResults.id));
  return { ...runView(run), results: results.map(resultView) };
}
