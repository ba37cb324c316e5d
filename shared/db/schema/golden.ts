import { boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { courses } from "./academics.ts";
import { id, timestamps } from "./columns.ts";
import { users } from "./users.ts";

const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** Why a golden run was asked for. */
export const GOLDEN_TRIGGERS = ["manual", "ingestion", "model"] as const;
/** Where a golden run is in its life. */
export const GOLDEN_RUN_STATUSES = ["queued", "running", "done", "failed"] as const;

/**
 * A question faculty expect the course's material to answer: the passage they expect retrieval to find (a
 * document and a quoted excerpt; a chunk given at creation is turned into its document and text, because chunk
 * ids change with every re-index) and, optionally, the answer they expect the tutor to give.
 */
export const goldenQuestions = pgTable("golden_questions", {
  id: id(),
  courseId: uuid("course_id").notNull().references(() => courses.id),
  question: text("question").notNull(),
  documentId: uuid("document_id"),
  /** An excerpt of the expected passage; matched against retrieved chunks after normalisation. */
  expectedQuote: text("expected_quote").notNull(),
  /** The answer the tutor should contain (normalised containment); null: only retrieval is checked. */
  expectedAnswer: text("expected_answer"),
  createdBy: uuid("created_by").references(() => users.id),
  ...timestamps(),
}, (t) => [
  index("golden_questions_course_idx").on(t.courseId),
  index("golden_questions_created_by_idx").on(t.createdBy),
]);

/** Totals of one run, also used to compare it with the previous one. */
export interface GoldenTotals {
  questions: number;
  /** Questions whose expected passage was in the top `k`. */
  retrievalHits: number;
  /** Questions with an expected answer. */
  withAnswer: number;
  /** Of those, answers that contained it. */
  answerHits: number;
  refusals: number;
  /** Mean reciprocal rank of the expected passage (0 when not found). */
  mrr: number;
}

/** One evaluation of a course's golden set at one corpus version. */
export const goldenRuns = pgTable("golden_runs", {
  id: id(),
  courseId: uuid("course_id").notNull().references(() => courses.id),
  trigger: text("trigger", { enum: GOLDEN_TRIGGERS }).notNull(),
  status: text("status", { enum: GOLDEN_RUN_STATUSES }).notNull().default("queued"),
  jobId: uuid("job_id"),
  requestedBy: uuid("requested_by").references(() => users.id),
  /** The course's corpus version when the run evaluated it. */
  corpusVersion: integer("corpus_version"),
  /** The tutor model that answered (`offline`, or the configured model name). */
  model: text("model"),
  k: integer("k").notNull().default(5),
  totals: jsonb("totals").$type<GoldenTotals>(),
  previousRunId: uuid("previous_run_id"),
  /** Whether this run did worse than the previous one (fewer passages found or fewer answers right). */
  dropped: boolean("dropped").notNull().default(false),
  /** Questions that passed in the previous run and fail now. */
  regressions: jsonb("regressions").$type<string[]>().notNull().default([]),
  error: text("error"),
  startedAt: at("started_at"),
  finishedAt: at("finished_at"),
  ...timestamps(),
}, (t) => [
  index("golden_runs_course_idx").on(t.courseId, t.createdAt),
  index("golden_runs_requested_by_idx").on(t.requestedBy),
]);

/** One question's outcome in one run. */
export const goldenResults = pgTable("golden_results", {
  id: id(),
  runId: uuid("run_id").notNull().references(() => goldenRuns.id, { onDelete: "cascade" }),
  /** Copied from the run for row-level security without joins. */
  courseId: uuid("course_id").notNull(),
  questionId: uuid("question_id").notNull().references(() => goldenQuestions.id),
  question: text("question").notNull(),
  /** 1-based rank of the first retrieved chunk holding the expected passage; null when not in the top k. */
  rank: integer("rank"),
  answer: text("answer").notNull().default(""),
  /** Whether the answer contained the expected answer; null when none is expected. */
  answerHit: boolean("answer_hit"),
  refused: boolean("refused").notNull().default(false),
  refusal: text("refusal"),
  ...timestamps(),
}, (t) => [
  index("golden_results_run_idx").on(t.runId),
  index("golden_results_course_idx").on(t.courseId),
  index("golden_results_question_idx").on(t.questionId),
]);
