/**
 * Regeneration of one item of a draft: the instructor asks (202, an `exams.regenerate_item` job), and the job asks
 * the exam's own generator (offline or the model) for one item of the same type and difficulty from the blueprint's
 * coverage, avoiding every fact the exam's items already test (the replaced one included), and writes it over the
 * item in place (same id and position). It is a job, like whole-exam generation, because the model generator runs in
 * the workers (where the model is configured) and takes seconds; the offline one makes it finish in milliseconds.
 * A re-run converges: the job does nothing once the exam is no longer a draft or the item is gone.
 * This module is the job's side (run by the workers); the caller's side is `item_tools.ts`.
 */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { examItems, exams } from "../db/schema/exams.ts";
import { foldPhrase } from "../text/plain_words.ts";
import { generatedItemColumns, loadCourseChunks } from "./generation.ts";
import { Blueprint, type ExamGenerator } from "./types.ts";

/** What a regeneration run did. */
export interface RegenerationOutcome {
  status: "replaced" | "unchanged" | "skipped";
  note?: string;
}

/** Which generator regenerates: the one that generated the exam (`exam.generator`), if it is available. */
export async function generatorNameOf(db: Db, examId: string): Promise<string | null> {
  const [exam] = await db.select({ generator: exams.generator }).from(exams).where(eq(exams.id, examId));
  return exam?.generator ?? null;
}

/** Generates one new item in place of `itemId` (same type and difficulty), testing a fact no other item tests. */
export async function regenerateExamItem(
  db: Db,
  examId: string,
  itemId: string,
  generator: ExamGenerator,
): Promise<RegenerationOutcome> {
  const [exam] = await db.select().from(exams).where(and(eq(exams.id, examId), isNull(exams.deletedAt)));
  if (!exam || exam.status !== "draft") return { status: "skipped", note: "The exam is no longer a draft." };
  const items = await db.select().from(examItems).where(
    and(eq(examItems.examId, examId), isNull(examItems.deletedAt)),
  );
  const old = items.find((i) => i.id === itemId);
  if (!old) return { status: "skipped", note: "The item was removed." };
  const blueprint = Blueprint.parse(exam.blueprint);
  const difficulty = old.difficulty ?? "medium";
  const one = Blueprint.parse({
    ...blueprint,
    counts: { multiple_choice: 0, true_false: 0, short_answer: 0, [old.type]: 1 },
    difficulty: { easy: 0, medium: 0, hard: 0, [difficulty]: 1 },
  });
  const chunks = await loadCourseChunks(db, exam.courseId, blueprint.documentIds);
  // Items written by hand have no fact key: their quote (if any) still marks the sentence as tested.
  const avoid = items.flatMap((i) =>
    i.factKey ? [i.factKey] : (i.citations ?? []).map((c) => foldPhrase(c.quote))
  );
  const [item] = chunks.length ? await generator.generate(one, chunks, { avoidFactKeys: avoid }) : [];
  if (!item) return { status: "unchanged", note: "The material has no other fact for an item of this kind." };
  return await db.transaction(async (tx) => {
    const [locked] = await tx.select({ status: exams.status }).from(exams).where(eq(exams.id, examId)).for(
      "update",
    );
    if (locked?.status !== "draft") {
      return { status: "skipped" as const, note: "The exam is no longer a draft." };
    }
    const [written] = await tx.update(examItems).set(generatedItemColumns(item)).where(
      and(eq(examItems.id, itemId), isNull(examItems.deletedAt)),
    ).returning({ id: examItems.id });
    return written
      ? { status: "replaced" as const }
      : { status: "skipped" as const, note: "The item was removed." };
  });
}
