/**
 * Exam jobs: generation, grading and auto-submission at an attempt's deadline. The domain lives in `core/exams/`
 * (pure modules over the database); these handlers pick the generator and grader from the tutor model: offline by
 * default, the model's structured output when the tutor model is OpenAI-compatible. All three converge on re-run.
 */
import { eq } from "drizzle-orm";
import { examAttempts } from "@app/shared/db/schema/exams.ts";
import { submitExpiredAttempts } from "@app/shared/exams/deadlines.ts";
import { generateExamItems } from "@app/shared/exams/generation.ts";
import { gradeAttempt } from "@app/shared/exams/grade_attempt.ts";
import { jsonModelFrom, LlmExamGenerator } from "@app/shared/exams/llm_generator.ts";
import { OfflineExamGenerator } from "@app/shared/exams/offline_generator.ts";
import { generatorNameOf, regenerateExamItem } from "@app/shared/exams/regenerate.ts";
import { modelShortAnswerGrader, offlineShortAnswerGrader } from "@app/shared/exams/short_answer_grader.ts";
import type { ExamGenerator } from "@app/shared/exams/types.ts";
import type { TutorModel } from "@app/shared/tutor/model/interface.ts";
import { defineJob, type JobHandlers } from "../registry.ts";

/** What the exam jobs need: a model for generation and grading, or none for the offline paths. */
export interface ExamJobDeps {
  /** Unset (or TUTOR_MODEL=offline): offline generator and similarity grading. */
  model?: TutorModel;
}

/** The exam job handlers, built for a model (or offline). */
export function examJobHandlers(
  deps: ExamJobDeps = {},
): Pick<JobHandlers, "exams.generate" | "exams.grade" | "exams.autosubmit" | "exams.regenerate_item"> {
  return {
    "exams.generate": defineJob("exams.generate", async ({ payload, database, logger }) => {
      const generator: ExamGenerator = deps.model
        ? new LlmExamGenerator(jsonModelFrom(deps.model), {
          onRetry: (reason) => logger.warn("exam generation retry", { reason }),
        })
        : new OfflineExamGenerator();
      const outcome = await generateExamItems(database.db, payload.examId, generator);
      logger.info("exam generation finished", { examId: payload.examId, ...outcome });
      return { result: outcome, resultUrl: `/api/v1/exams/${payload.examId}` };
    }),
    "exams.regenerate_item": defineJob("exams.regenerate_item", async ({ payload, database, logger }) => {
      // The exam's own generator: the model's items are replaced by the model (when it is still configured).
      const name = await generatorNameOf(database.db, payload.examId);
      const generator: ExamGenerator = name === "llm" && deps.model
        ? new LlmExamGenerator(jsonModelFrom(deps.model), {
          onRetry: (reason) => logger.warn("item regeneration retry", { reason }),
        })
        : new OfflineExamGenerator();
      const outcome = await regenerateExamItem(database.db, payload.examId, payload.itemId, generator);
      logger.info("item regeneration finished", { ...payload, generator: generator.name, ...outcome });
      return { result: outcome, resultUrl: `/api/v1/exams/${payload.examId}` };
    }),
    "exams.grade": defineJob("exams.grade", async ({ payload, database, logger }) => {
      const grader = deps.model
        ? modelShortAnswerGrader(deps.model, {
          onRetry: (reason) => logger.warn("grading retry", { reason }),
        })
        : offlineShortAnswerGrader;
      const outcome = await gradeAttempt(database.db, payload.attemptId, grader);
      logger.info("attempt grading finished", { attemptId: payload.attemptId, ...outcome });
      return { result: outcome, resultUrl: `/api/v1/attempts/${payload.attemptId}` };
    }),
    "exams.autosubmit": defineJob("exams.autosubmit", async ({ payload, database }) => {
      const submitted = await submitExpiredAttempts(database.db, eq(examAttempts.id, payload.attemptId));
      return { result: { submitted } };
    }),
  };
}
