/**
 * The exam lifecycle over the caller's scoped transaction: create (202, generation job), list, read (keys only for
 * the course's staff, or for students once results are released), draft editing, publish, close, release.
 */
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import {
  afterCursor,
  fixedSort,
  orderOf,
  pageOf,
  type PageParams,
  sortKeyOf,
} from "../academics/pagination.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";
import { enrollments } from "../../shared/db/schema/academics.ts";
import { courses } from "../../shared/db/schema/academics.ts";
import { examAttempts, examItems, exams } from "../../shared/db/schema/exams.ts";
import { enqueueJob, enqueueJobs } from "../../shared/jobs/enqueue.ts";
import type { ScopedContext } from "../academics/context.ts";
import { submitExpiredAttempts } from "../../shared/exams/deadlines.ts";
import type { Blueprint } from "../../shared/exams/types.ts";

type ExamRow = typeof exams.$inferSelect;
type ItemRow = typeof examItems.$inferSelect;

const VISIBLE_TO_STUDENTS = ["published", "closed", "released"] as const;

/** Reads an exam the caller may see, or 404; `manage` also requires that the caller manages its course (403). */
export async function loadExam(ctx: ScopedContext, examId: string, manage = false): Promise<ExamRow> {
  const [exam] = await ctx.tx.select().from(exams).where(and(eq(exams.id, examId), isNull(exams.deletedAt)));
  if (!exam || !ctx.scope.canReadCourse(exam.courseId)) {
    throw new AppError(ErrorCode.NOT_FOUND, "Exam not found");
  }
  const staff = ctx.scope.canManageCourse(exam.courseId);
  if (!staff && !(VISIBLE_TO_STUDENTS as readonly string[]).includes(exam.status)) {
    throw new AppError(ErrorCode.NOT_FOUND, "Exam not found");
  }
  if (manage && !staff) throw new AppError(ErrorCode.FORBIDDEN, "Only the course's instructors may do this");
  return exam;
}

/** Public shape of an exam. */
export function examView(exam: ExamRow) {
  return {
    id: exam.id,
    courseId: exam.courseId,
    title: exam.title,
    status: exam.status,
    generator: exam.generator,
    language: exam.language,
    note: exam.note,
    blueprint: exam.blueprint,
    opensAt: exam.opensAt?.toISOString() ?? null,
    closesAt: exam.closesAt?.toISOString() ?? null,
    timeLimitMinutes: exam.timeLimitMinutes,
    attemptsAllowed: exam.attemptsAllowed,
    allowLate: exam.allowLate,
    generationJobId: exam.generationJobId,
    createdAt: exam.createdAt.toISOString(),
  };
}

/** Public shape of an item; the key, explanation and citations only when `withKey`. */
export function itemView(item: ItemRow, withKey: boolean) {
  const base = {
    id: item.id,
    ordinal: item.ordinal,
    type: item.type,
    question: item.question,
    options: item.options,
    points: item.points,
  };
  if (!withKey) return base;
  return {
    ...base,
    answerKey: item.answerKey,
    explanation: item.explanation,
    difficulty: item.difficulty,
    citations: item.citations,
  };
}

/** Creates an exam in status `generating` and enqueues its generation in the same transaction. */
export async function createExam(
  ctx: ScopedContext,
  courseId: string,
  input: { title: string; blueprint: Blueprint },
): Promise<{ examId: string; jobId: string }> {
  if (!ctx.scope.canReadCourse(courseId)) throw new AppError(ErrorCode.NOT_FOUND, "Course not found");
  if (!ctx.scope.canManageCourse(courseId)) {
    throw new AppError(ErrorCode.FORBIDDEN, "Only the course's instructors may create exams");
  }
  const [course] = await ctx.tx.select().from(courses).where(
    and(eq(courses.id, courseId), isNull(courses.deletedAt)),
  );
  if (!course) throw new AppError(ErrorCode.NOT_FOUND, "Course not found");
  const [exam] = await ctx.tx.insert(exams).values({
    courseId,
    facultyId: course.facultyId,
    semesterId: course.semesterId,
    title: input.title,
    blueprint: input.blueprint as unknown as Record<string, unknown>,
    language: input.blueprint.language,
    createdBy: ctx.caller.userId,
  }).returning();
  const job = await enqueueJob(ctx.tx, {
    type: "exams.generate",
    payload: { examId: exam.id },
    ownerUserId: ctx.caller.userId,
    scope: { facultyId: course.facultyId, courseId },
  });
  await ctx.tx.update(exams).set({ generationJobId: job.id }).where(eq(exams.id, exam.id));
  await ctx.audit({
    action: "exam.create",
    target: `exam:${exam.id}`,
    metadata: { courseId, jobId: job.id },
  });
  return { examId: exam.id, jobId: job.id };
}

/** The exams of a course: all for its staff, published and later for students. */
export async function listExams(ctx: ScopedContext, courseId: string, page: PageParams) {
  if (!ctx.scope.canReadCourse(courseId)) throw new AppError(ErrorCode.NOT_FOUND, "Course not found");
  const staff = ctx.scope.canManageCourse(courseId);
  const sort = fixedSort("-createdAt", exams.createdAt, "timestamptz", true);
  const rows = await ctx.tx.select({ row: exams, id: exams.id, sortKey: sortKeyOf(sort) }).from(exams).where(
    and(
      eq(exams.courseId, courseId),
      isNull(exams.deletedAt),
      staff ? undefined : inArray(exams.status, [...VISIBLE_TO_STUDENTS]),
      afterCursor(sort, exams.id, page.cursor),
    ),
  ).orderBy(...orderOf(sort, exams.id)).limit(page.limit + 1);
  const cut = pageOf(rows, page.limit, sort);
  return { items: cut.rows.map((r) => examView(r.row)), nextCursor: cut.nextCursor };
}

/** Live items of an exam, in order. */
export function itemsOf(ctx: ScopedContext, examId: string): Promise<ItemRow[]> {
  return ctx.tx.select().from(examItems).where(and(eq(examItems.examId, examId), isNull(examItems.deletedAt)))
    .orderBy(asc(examItems.ordinal));
}

/** An exam with its items; keys for staff, and for students only after release. */
export async function getExam(ctx: ScopedContext, examId: string) {
  const exam = await loadExam(ctx, examId);
  const withKey = ctx.scope.canManageCourse(exam.courseId) || exam.status === "released";
  return { ...examView(exam), items: (await itemsOf(ctx, examId)).map((i) => itemView(i, withKey)) };
}

async function loadDraft(ctx: ScopedContext, examId: string): Promise<ExamRow> {
  const exam = await loadExam(ctx, examId, true);
  if (exam.status !== "draft") throw new AppError(ErrorCode.CONFLICT, `Exam is ${exam.status}, not a draft`);
  return exam;
}

/** Renames a draft. */
export async function updateExam(ctx: ScopedContext, examId: string, patch: { title?: string }) {
  await loadDraft(ctx, examId);
  if (patch.title !== undefined) {
    await ctx.tx.update(exams).set({ title: patch.title }).where(eq(exams.id, examId));
  }
  return getExam(ctx, examId);
}

/** Fields of an item an instructor writes. */
export interface ItemInput {
  type: "multiple_choice" | "true_false" | "short_answer";
  question: string;
  options: string[];
  answerKey: string;
  explanation?: string;
  points?: number;
  difficulty?: "easy" | "medium" | "hard";
}

function checkItem(item: Pick<ItemInput, "type" | "options" | "answerKey">): void {
  if (item.type !== "short_answer" && !item.options.includes(item.answerKey)) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, "The answer key must be one of the options");
  }
}

/** Adds an item to a draft, at the end. */
export async function addItem(ctx: ScopedContext, examId: string, input: ItemInput) {
  const exam = await loadDraft(ctx, examId);
  checkItem(input);
  const ordinal = (await itemsOf(ctx, examId)).reduce((m, i) => Math.max(m, i.ordinal), 0) + 1;
  const [row] = await ctx.tx.insert(examItems).values({
    examId,
    courseId: exam.courseId,
    ordinal,
    ...input,
    options: input.type === "short_answer" ? [] : input.options,
  }).returning();
  return itemView(row, true);
}

async function loadItem(ctx: ScopedContext, examId: string, itemId: string): Promise<ItemRow> {
  const [item] = await ctx.tx.select().from(examItems).where(and(
    eq(examItems.id, itemId),
    eq(examItems.examId, examId),
    isNull(examItems.deletedAt),
  ));
  if (!item) throw new AppError(ErrorCode.NOT_FOUND, "Item not found");
  return item;
}

/** Edits an item of a draft. */
export async function updateItem(
  ctx: ScopedContext,
  examId: string,
  itemId: string,
  patch: Partial<ItemInput>,
) {
  await loadDraft(ctx, examId);
  const item = await loadItem(ctx, examId, itemId);
  checkItem({ ...item, ...patch });
  const [row] = await ctx.tx.update(examItems).set(patch).where(eq(examItems.id, itemId)).returning();
  return itemView(row, true);
}

/** Removes an item from a draft (soft delete). */
export async function deleteItem(ctx: ScopedContext, examId: string, itemId: string): Promise<void> {
  await loadDraft(ctx, examId);
  await loadItem(ctx, examId, itemId);
  await ctx.tx.update(examItems).set({ deletedAt: new Date() }).where(eq(examItems.id, itemId));
}

/** How a draft is published. */
export interface PublishInput {
  opensAt?: string;
  closesAt: string;
  timeLimitMinutes?: number;
  attemptsAllowed: number;
  allowLate: boolean;
}

/** Publishes a draft with its window, time limit, attempts and late policy. */
export async function publishExam(ctx: ScopedContext, examId: string, input: PublishInput) {
  await loadDraft(ctx, examId);
  const opensAt = input.opensAt ? new Date(input.opensAt) : new Date();
  const closesAt = new Date(input.closesAt);
  if (closesAt <= opensAt) throw new AppError(ErrorCode.VALIDATION_FAILED, "closesAt must be after opensAt");
  if ((await itemsOf(ctx, examId)).length === 0) {
    throw new AppError(ErrorCode.CONFLICT, "An exam without items cannot be published");
  }
  await ctx.tx.update(exams).set({
    status: "published",
    opensAt,
    closesAt,
    timeLimitMinutes: input.timeLimitMinutes ?? null,
    attemptsAllowed: input.attemptsAllowed,
    allowLate: input.allowLate,
    publishedAt: new Date(),
  }).where(eq(exams.id, examId));
  await ctx.audit({ action: "exam.publish", target: `exam:${examId}`, metadata: { ...input } });
  // Tell the course's students (in the app, and by mail unless they turned `exam.published` off).
  const exam = await loadExam(ctx, examId, true);
  await notifyStudents(ctx, exam, {
    kind: "exam.published",
    title: `Exam "${exam.title}" is published`,
    body: `It is open until ${closesAt.toISOString()}.`,
  });
  return getExam(ctx, examId);
}

/**
 * Enqueues one `notifications.deliver` job per student enrolled in the exam's course, in the caller's transaction;
 * returns how many students were notified.
 */
async function notifyStudents(
  ctx: ScopedContext,
  exam: ExamRow,
  message: { kind: string; title: string; body?: string },
): Promise<number> {
  const students = await ctx.tx.select({ userId: enrollments.userId }).from(enrollments).where(and(
    eq(enrollments.courseId, exam.courseId),
    eq(enrollments.role, "student"),
    isNull(enrollments.deletedAt),
  ));
  // One statement for the course, not a round trip per student (a publish to 1,000 students passed the edge's 30 s).
  return await enqueueJobs(
    ctx.tx,
    students.map(({ userId }) => ({
      type: "notifications.deliver" as const,
      payload: { userId, ...message, data: { examId: exam.id, courseId: exam.courseId } },
      ownerUserId: ctx.caller.userId,
      scope: { facultyId: exam.facultyId, courseId: exam.courseId },
    })),
  );
}

/** Closes a published exam; attempts still open are submitted with what was saved. */
export async function closeExam(ctx: ScopedContext, examId: string) {
  const exam = await loadExam(ctx, examId, true);
  if (exam.status !== "published") {
    throw new AppError(ErrorCode.CONFLICT, `Exam is ${exam.status}, not published`);
  }
  const now = new Date();
  await ctx.tx.update(exams).set({
    status: "closed",
    closesAt: exam.closesAt && exam.closesAt < now ? exam.closesAt : now,
  })
    .where(eq(exams.id, examId));
  await ctx.tx.update(examAttempts).set({ deadlineAt: now }).where(
    and(eq(examAttempts.examId, examId), eq(examAttempts.status, "in_progress")),
  );
  await submitExpiredAttempts(ctx.tx, eq(examAttempts.examId, examId), now);
  await ctx.audit({ action: "exam.close", target: `exam:${examId}` });
  return getExam(ctx, examId);
}

/** Releases the results of a closed exam and notifies its students. */
export async function releaseExam(ctx: ScopedContext, examId: string) {
  const exam = await loadExam(ctx, examId, true);
  if (exam.status !== "closed") throw new AppError(ErrorCode.CONFLICT, `Exam is ${exam.status}, not closed`);
  await ctx.tx.update(exams).set({ status: "released", releasedAt: new Date() }).where(eq(exams.id, examId));
  const notified = await notifyStudents(ctx, exam, {
    kind: "exam.results_released",
    title: `Results of "${exam.title}" are out`,
  });
  await ctx.audit({ action: "exam.release", target: `exam:${examId}`, metadata: { notified } });
  return getExam(ctx, examId);
}
