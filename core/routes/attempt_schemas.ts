/** Response shapes of attempts, for the OpenAPI document and the web app's typed client. */
import { z } from "@hono/zod-openapi";

/** An attempt without its items (`attemptView`); scores stay null for students until results are released. */
export const AttemptSummary = z.object({
  id: z.uuid(),
  examId: z.uuid(),
  userId: z.uuid(),
  attemptNo: z.number().int(),
  status: z.enum(["in_progress", "submitted", "graded"]),
  startedAt: z.string(),
  deadlineAt: z.string().nullable().openapi({ description: "Server time the attempt ends; null = no limit" }),
  submittedAt: z.string().nullable(),
  submitKind: z.enum(["manual", "auto", "late"]).nullable(),
  gradingJobId: z.uuid().nullable(),
  score: z.number().nullable(),
  maxScore: z.number().nullable(),
}).openapi("ExamAttemptSummary");

const Citation = z.object({
  chunkId: z.string(),
  documentId: z.string(),
  page: z.number().nullable(),
  quote: z.string(),
}).openapi("ExamCitation");

/** One item of an attempt: the question, the saved answer, and after release the key, grade and explanation. */
const AttemptItem = z.object({
  id: z.uuid(),
  ordinal: z.number().int(),
  type: z.enum(["multiple_choice", "true_false", "short_answer"]),
  question: z.string(),
  options: z.array(z.string()),
  points: z.number(),
  answerId: z.uuid().nullable().optional(),
  answer: z.string().nullable().optional(),
  savedAt: z.string().nullable().optional(),
  answerKey: z.string().optional(),
  explanation: z.string().optional(),
  difficulty: z.string().optional(),
  citations: z.array(Citation).optional(),
  score: z.number().nullable().optional(),
  justification: z.string().nullable().optional(),
  confidence: z.number().nullable().optional(),
  gradedBy: z.string().nullable().optional(),
  needsReview: z.boolean().optional(),
}).openapi("ExamAttemptItem");

/** An attempt with its items and the server's clock (`serverTime`), so a countdown needs no trust in the client's. */
export const Attempt = AttemptSummary.extend({
  serverTime: z.string(),
  items: z.array(AttemptItem),
}).openapi("ExamAttempt");
