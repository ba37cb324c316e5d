/**
 * Generation of an exam's items (run by the `exams.generate` job): loads the course's live chunks (only the
 * blueprint's documents when it names some), runs the generator, and stores the items, the `draft` status and the
 * instructor's notification in one transaction. A re-run after a crash converges: an exam no longer `generating`
 * is left alone, and the transaction either wrote everything or nothing.
 */
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { documentChunks, documents } from "../db/schema/rag.ts";
import { examItems, exams } from "../db/schema/exams.ts";
import { enqueueJob } from "../jobs/enqueue.ts";
import { Blueprint, type ExamGenerator, type GeneratedItem, type SourceChunk } from "./types.ts";

/** Loads the live chunks of a course (or of some of its documents), in reading order. */
export async function loadCourseChunks(
  db: Db,
  courseId: string,
  documentIds?: string[],
): Promise<SourceChunk[]> {
  const rows = await db.select({
    chunkId: documentChunks.id,
    documentId: documentChunks.documentId,
    page: documentChunks.pageStart,
    text: documentChunks.text,
    heading: documentChunks.heading,
  }).from(documentChunks)
    .innerJoin(documents, eq(documents.id, documentChunks.documentId))
    .where(and(
      eq(documentChunks.courseId, courseId),
      // Only the generation retrieval reads: others are mid-write or stale.
      eq(documentChunks.generation, documents.chunkGeneration),
      isNull(documents.deletedAt),
      isNull(documentChunks.deletedAt),
      documentIds?.length ? inArray(documentChunks.documentId, documentIds) : sql`true`,
    ))
    .orderBy(asc(documentChunks.documentId), asc(documentChunks.ordinal));
  return rows.map((r) => ({ ...r, page: r.page ?? 1 }));
}

/** What a generation run did. */
export interface GenerationOutcome {
  status: "draft" | "failed" | "skipped";
  items: number;
  note?: string;
}

/** Generates and stores the items of an exam in status `generating`; `pick` chooses the generator by name. */
export async function generateExamItems(
  db: Db,
  examId: string,
  generator: ExamGenerator,
): Promise<GenerationOutcome> {
  const [exam] = await db.select().from(exams).where(eq(exams.id, examId));
  if (!exam || exam.status !== "generating") return { status: "skipped", items: 0 };
  const blueprint = Blueprint.parse(exam.blueprint);
  const chunks = await loadCourseChunks(db, exam.courseId, blueprint.documentIds);
  const asked = blueprint.counts.multiple_choice + blueprint.counts.true_false +
    blueprint.counts.short_answer;
  let items: GeneratedItem[] = [];
  let failure: string | undefined;
  if (chunks.length === 0) failure = "The course has no processed material to generate from.";
  else {
    // A model failure (after its own retries) fails this attempt of the job; the queue retries with backoff.
    items = await generator.generate(blueprint, chunks);
    if (items.length === 0) failure = "No item could be supported by the material.";
  }
  const note = failure ??
    (items.length < asked
      ? `Generated ${items.length} of ${asked} items the blueprint asked for.`
      : undefined);
  const status = failure ? "failed" as const : "draft" as const;
  const wrote = await db.transaction(async (tx) => {
    const [locked] = await tx.select({ status: exams.status }).from(exams).where(eq(exams.id, examId)).for(
      "update",
    );
    if (locked?.status !== "generating") return false;
    await tx.delete(examItems).where(eq(examItems.examId, examId));
    if (items.length) {
      await tx.insert(examItems).values(items.map((item, i) => ({
        examId,
        courseId: exam.courseId,
        ordinal: i + 1,
        type: item.type,
        ...generatedItemColumns(item),
      })));
    }
    await tx.update(exams).set({ status, generator: generator.name, note: note ?? null }).where(
      eq(exams.id, examId),
    );
    if (exam.createdBy) {
      await enqueueJob(tx, {
        type: "notifications.deliver",
        payload: {
          userId: exam.createdBy,
          kind: failure ? "exam.generation_failed" : "exam.generated",
          title: failure
            ? `Exam "${exam.title}" could not be generated`
            : `Exam "${exam.title}" is ready to review`,
          body: note ?? `${items.length} items were generated.`,
          data: { examId, courseId: exam.courseId },
        },
        ownerUserId: exam.createdBy,
        scope: { facultyId: exam.facultyId, courseId: exam.courseId },
      });
    }
    return true;
  });
  return wrote ? { status, items: items.length, note } : { status: "skipped", items: 0 };
}

/** The columns of an exam item that a generated item fills, its type aside: for writing a new item or replacing one. */
export function generatedItemColumns(item: GeneratedItem) {
  return {
    question: item.question,
    options: item.options,
    answerKey: item.answerKey,
    explanation: item.explanation,
    difficulty: item.difficulty,
    citations: item.citations,
    factKey: item.factKey,
  };
}
