import type { Db } from "../../db/client.ts";

/** An exam that is open right now for a course, with the text of its items (questions and options). */
export interface OpenExam {
  examId: string;
  title: string;
  itemTexts: string[];
}

/**
 * Tells the tutor which exams of a course are open, so it refuses to answer their items. The exams feature provides
 * the real one; until then `noOpenExams` stands in.
 */
export interface ExamLockout {
  /** `db`: run on this handle (a transaction already holding a connection, as the tables' owner) instead of its own. */
  activeExamsFor(courseId: string, db?: Db): Promise<OpenExam[]>;
}

/** The lockout before exams exist: nothing is ever open. */
export const noOpenExams: ExamLockout = { activeExamsFor: () => Promise.resolve([]) };
