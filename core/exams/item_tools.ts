/**
 * An instructor's tools on one item of an exam: ask for a new version of it (an `exams.regenerate_item` job, run
 * by `regenerate.ts` in the workers) and read the whole passage its key cites, for the review screen.
 */
import { and, eq, isNull } from "drizzle-orm";
import { examItems } from "../../shared/db/schema/exams.ts";
import { documentChunks, documents } from "../../shared/db/schema/rag.ts";
import { enqueueJob } from "../../shared/jobs/enqueue.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import type { ScopedContext } from "../academics/context.ts";
import { loadExam } from "./exams.ts";

/** Asks for a new version of one item of a draft; returns the job that writes it. */
export async function requestItemRegeneration(
  ctx: ScopedContext,
  examId: string,
  itemId: string,
): Promise<{ jobId: string }> {
  const exam = await loadExam(ctx, examId, true);
  if (exam.status !== "draft") throw new AppError(ErrorCode.CONFLICT, `Exam is ${exam.status}, not a draft`);
  const [item] = await ctx.tx.select({ id: examItems.id }).from(examItems).where(and(
    eq(examItems.id, itemId),
    eq(examItems.examId, examId),
    isNull(examItems.deletedAt),
  ));
  if (!item) throw new AppError(ErrorCode.NOT_FOUND, "Item not found");
  const job = await enqueueJob(ctx.tx, {
    type: "exams.regenerate_item",
    payload: { examId, itemId },
    ownerUserId: ctx.caller.userId,
    scope: { facultyId: exam.facultyId, courseId: exam.courseId },
  });
  await ctx.audit({
    action: "exam.item.regenerate",
    target: `exam:${examId}`,
    metadata: { itemId, jobId: job.id },
  });
  return { jobId: job.id };
}

/** The whole passage an item's key cites: the chunk, its document and pages, and the supporting sentence. */
export async function itemSource(ctx: ScopedContext, examId: string, itemId: string) {
  const exam = await loadExam(ctx, examId, true);
  const [item] = await ctx.tx.select().from(examItems).where(and(
    eq(examItems.id, itemId),
    eq(examItems.examId, examId),
    isNull(examItems.deletedAt),
  ));
  if (!item) throw new AppError(ErrorCode.NOT_FOUND, "Item not found");
  const citation = (item.citations ?? [])[0];
  if (!citation) throw new AppError(ErrorCode.NOT_FOUND, "The item cites no passage");
  const [row] = await ctx.tx.select({
    chunkId: documentChunks.id,
    documentId: documentChunks.documentId,
    documentTitle: documents.title,
    pageStart: documentChunks.pageStart,
    pageEnd: documentChunks.pageEnd,
    heading: documentChunks.heading,
    text: documentChunks.text,
  }).from(documentChunks)
    .innerJoin(documents, eq(documents.id, documentChunks.documentId))
    .where(and(
      eq(documentChunks.id, citation.chunkId),
      // The passage must belong to the exam's course, whatever the stored citation says.
      eq(documentChunks.courseId, exam.courseId),
      isNull(documentChunks.deletedAt),
      isNull(documents.deletedAt),
    ));
  if (!row) {
    throw new AppError(ErrorCode.NOT_FOUND, "The cited passage is no longer in the course's material");
  }
  return { ...row, quote: citation.quote };
}
