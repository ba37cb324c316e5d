/**
 * The database-backed exam lockout: the exams of a course that are open right now (published, inside their
 * window), with the text of their items, so the tutor refuses to answer them. It reads as the owner (no caller
 * transaction): the tutor asks about the course it already authorised the student for. A course whose instructors
 * turned the lock-out off (its tutor policy's `lockoutDuringExams`) has none.
 */
import { and, asc, eq, gt, inArray, isNull, lte, or } from "drizzle-orm";
import type { Database, Db } from "../db/client.ts";
import { examItems, exams } from "../db/schema/exams.ts";
import { courseTutorSettings } from "../db/schema/chat.ts";
import type { ExamLockout, OpenExam } from "../tutor/exam_lockout/interface.ts";

/** The lockout over the exams tables; `now` is injectable for tests. */
export function databaseExamLockout(
  database: Pick<Database, "read">,
  now: () => Date = () => new Date(),
): ExamLockout {
  return {
    async activeExamsFor(courseId: string, db: Db = database.read): Promise<OpenExam[]> {
      const at = now();
      const open = await db.select({ id: exams.id, title: exams.title }).from(exams).where(and(
        eq(exams.courseId, courseId),
        eq(exams.status, "published"),
        isNull(exams.deletedAt),
        or(isNull(exams.opensAt), lte(exams.opensAt, at)),
        // Late submissions keep the exam's items locked only until the window closes.
        or(isNull(exams.closesAt), gt(exams.closesAt, at)),
      ));
      if (open.length === 0) return [];
      const [setting] = await db.select({ on: courseTutorSettings.lockoutDuringExams })
        .from(courseTutorSettings)
        .where(and(eq(courseTutorSettings.courseId, courseId), isNull(courseTutorSettings.deletedAt))).limit(
          1,
        );
      if (setting && !setting.on) return [];
      const items = await db.select({
        examId: examItems.examId,
        question: examItems.question,
        options: examItems.options,
      }).from(examItems).where(
        and(inArray(examItems.examId, open.map((e) => e.id)), isNull(examItems.deletedAt)),
      )
        .orderBy(asc(examItems.ordinal));
      return open.map((exam) => ({
        examId: exam.id,
        title: exam.title,
        itemTexts: items.filter((i) => i.examId === exam.id).map((i) =>
          i.options.length ? `${i.question}\n${i.options.join("\n")}` : i.question
        ),
      }));
    },
  };
}
