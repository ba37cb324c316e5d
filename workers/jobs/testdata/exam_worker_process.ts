/**
 * Test fixture: the real workers process (`runWorkers`) whose `exams.grade` uses a slow short-answer grader (it logs
 * "grading halfway" and sleeps), so a test can kill it in the middle of grading. Everything else is the real handler.
 */
import { gradeAttempt } from "@app/shared/exams/grade_attempt.ts";
import { offlineShortAnswerGrader, type ShortAnswerGrader } from "@app/shared/exams/short_answer_grader.ts";
import { loadWorkersEnv } from "../../env.ts";
import { runWorkers } from "../../main.ts";
import { jobHandlers } from "../handlers/mod.ts";
import { defineJob } from "../registry.ts";

const slowGrade = defineJob("exams.grade", async ({ payload, database, logger }) => {
  const grader: ShortAnswerGrader = {
    name: "offline",
    grade: async (input) => {
      logger.info("grading halfway", { attemptId: payload.attemptId });
      await new Promise((r) => setTimeout(r, 1500));
      return offlineShortAnswerGrader.grade(input);
    },
  };
  const outcome = await gradeAttempt(database.db, payload.attemptId, grader);
  logger.info("attempt grading finished", { attemptId: payload.attemptId, ...outcome });
  return { result: outcome };
});

await runWorkers(loadWorkersEnv(), { registry: { ...jobHandlers, "exams.grade": slowGrade } });
