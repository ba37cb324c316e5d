/**
 * Runs a course's golden set: for each question, hybrid search over the course (was the expected passage in the
 * top k, and at which rank) and the tutor pipeline the chat routes run (did the answer contain the expected answer,
 * or refuse). Results are stored per run with the corpus version they measured; a question that passed in the
 * previous finished run and fails now is a regression, and any regression notifies the course's instructors.
 * Runs as the database owner (a worker job); the caller's scope was checked when the run was queued.
 */
import { and, desc, eq, isNull, lt, ne } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { courses, enrollments } from "../db/schema/academics.ts";
import { goldenQuestions, goldenResults, goldenRuns, type GoldenTotals } from "../db/schema/golden.ts";
import { enqueueJob } from "../jobs/enqueue.ts";
import type { Logger } from "../logger.ts";
import { corpusVersions } from "../rag/corpus_version.ts";
import { hybridSearch, type RetrievalDeps, type SearchHit } from "../rag/search.ts";
import { noOpenExams } from "../tutor/exam_lockout/interface.ts";
import type { TutorModel } from "../tutor/model/interface.ts";
import { answerTutorTurn } from "../tutor/pipeline.ts";
import type { Retriever } from "../tutor/retriever/interface.ts";
import { normalizeText } from "../text/fold.ts";

/** What a run needs: the search's services and the tutor model that answers. */
export interface GoldenEvalDeps {
  retrieval: RetrievalDeps;
  model: TutorModel;
  logger: Logger;
}

type QuestionRow = typeof goldenQuestions.$inferSelect;
type ResultInsert = typeof goldenResults.$inferInsert;

/** Chunks the tutor reads per question, as in chat. */
const TUTOR_K = 6;

/** Text reduced to letters and digits between single spaces, so line breaks and punctuation do not decide. */
export function matchText(text: string): string {
  return normalizeText(text).replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

/** 1-based rank of the first hit holding the expected passage (its document, when given, and its quote). */
export function rankOfPassage(
  hits: Pick<SearchHit, "documentId" | "text">[],
  expected: { documentId: string | null; expectedQuote: string },
): number | null {
  const quote = matchText(expected.expectedQuote);
  const i = hits.findIndex((hit) =>
    (!expected.documentId || hit.documentId === expected.documentId) && matchText(hit.text).includes(quote)
  );
  return i < 0 ? null : i + 1;
}

async function evaluateQuestion(deps: GoldenEvalDeps, run: { courseId: string; k: number }, q: QuestionRow) {
  const { results } = await hybridSearch(deps.retrieval, {
    scope: { courseIds: [run.courseId] },
    query: q.question,
    k: Math.max(run.k, TUTOR_K),
  });
  const rank = rankOfPassage(results.slice(0, run.k), q);
  // The tutor answers from the same retrieval, so one search serves both checks.
  const replay: Retriever = {
    retrieve: (request) =>
      Promise.resolve({
        chunks: results.slice(0, request.k).map((hit) => ({
          chunkId: hit.chunkId,
          documentId: hit.documentId,
          documentTitle: hit.documentTitle,
          page: hit.page,
          text: hit.text,
          score: hit.score,
          courseId: hit.courseId,
        })),
      }),
  };
  const turn = await answerTutorTurn(
    { retriever: replay, model: deps.model, examLockout: noOpenExams, logger: deps.logger, k: TUTOR_K },
    { scope: { courseId: run.courseId }, question: q.question, history: [], policy: "direct" },
  );
  const answerHit = q.expectedAnswer === null
    ? null
    : matchText(turn.answer).includes(matchText(q.expectedAnswer));
  return { rank, answer: turn.answer, answerHit, refused: turn.refusal !== null, refusal: turn.refusal };
}

function totalsOf(results: ResultInsert[], k: number): GoldenTotals {
  const withAnswer = results.filter((r) => r.answerHit !== null && r.answerHit !== undefined);
  const mrr = results.reduce((sum, r) => sum + (r.rank ? 1 / r.rank : 0), 0) / Math.max(results.length, 1);
  return {
    questions: results.length,
    retrievalHits: results.filter((r) => r.rank !== null && r.rank !== undefined && r.rank <= k).length,
    withAnswer: withAnswer.length,
    answerHits: withAnswer.filter((r) => r.answerHit).length,
    refusals: results.filter((r) => r.refused).length,
    mrr: Math.round(mrr * 1000) / 1000,
  };
}

/** Questions that passed in `before` and fail in `after` (passage lost, or expected answer lost). */
export function regressionsBetween(
  before: Pick<ResultInsert, "questionId" | "rank" | "answerHit">[],
  after: Pick<ResultInsert, "questionId" | "rank" | "answerHit">[],
): string[] {
  const previous = new Map(before.map((r) => [r.questionId, r]));
  return after.filter((r) => {
    const p = previous.get(r.questionId);
    if (!p) return false;
    return (p.rank != null && r.rank == null) || (p.answerHit === true && r.answerHit === false);
  }).map((r) => r.questionId);
}

/** Runs one queued golden run to the end; a run already finished is left as it is (job re-delivery). */
export async function runGoldenSet(db: Db, deps: GoldenEvalDeps, runId: string) {
  const [run] = await db.select().from(goldenRuns).where(eq(goldenRuns.id, runId));
  if (!run || run.deletedAt) return { skipped: "run deleted" };
  if (run.status === "done") return { skipped: "run already done", dropped: run.dropped };
  await db.update(goldenRuns).set({ status: "running", startedAt: new Date(), error: null })
    .where(eq(goldenRuns.id, runId));
  const corpusVersion = (await corpusVersions(db, [run.courseId])).get(run.courseId) ?? 0;
  const questions = await db.select().from(goldenQuestions).where(and(
    eq(goldenQuestions.courseId, run.courseId),
    isNull(goldenQuestions.deletedAt),
  ));
  const results: ResultInsert[] = [];
  try {
    for (const q of questions) {
      results.push({
        runId,
        courseId: run.courseId,
        questionId: q.id,
        question: q.question,
        ...await evaluateQuestion(deps, run, q),
      });
    }
  } catch (err) {
    // The job retries; the run says why it has no results yet.
    await db.update(goldenRuns).set({ status: "failed", error: String(err) }).where(eq(goldenRuns.id, runId));
    throw err;
  }
  const [previous] = await db.select().from(goldenRuns).where(and(
    eq(goldenRuns.courseId, run.courseId),
    eq(goldenRuns.status, "done"),
    ne(goldenRuns.id, runId),
    lt(goldenRuns.createdAt, run.createdAt),
    isNull(goldenRuns.deletedAt),
  )).orderBy(desc(goldenRuns.createdAt)).limit(1);
  const before = previous
    ? await db.select().from(goldenResults).where(eq(goldenResults.runId, previous.id))
    : [];
  const regressions = regressionsBetween(before, results);
  const totals = totalsOf(results, run.k);
  const model = deps.model.modelFor("chat");
  await db.transaction(async (tx) => {
    await tx.delete(goldenResults).where(eq(goldenResults.runId, runId));
    if (results.length) await tx.insert(goldenResults).values(results);
    await tx.update(goldenRuns).set({
      status: "done",
      corpusVersion,
      model,
      totals,
      previousRunId: previous?.id ?? null,
      dropped: regressions.length > 0,
      regressions,
      error: null,
      finishedAt: new Date(),
    }).where(eq(goldenRuns.id, runId));
    if (regressions.length > 0) {
      await notifyDrop(tx as unknown as Db, {
        ...run,
        corpusVersion,
        totals,
        regressions,
        previous: previous?.totals,
      });
    }
  });
  deps.logger.info("golden run finished", {
    runId,
    courseId: run.courseId,
    corpusVersion,
    ...totals,
    regressions: regressions.length,
  });
  return { runId, corpusVersion, totals, dropped: regressions.length > 0, regressions: regressions.length };
}

/** Queues an in-app notification of the drop to the course's instructors and whoever asked for the run. */
async function notifyDrop(
  tx: Db,
  run: {
    id: string;
    courseId: string;
    requestedBy: string | null;
    corpusVersion: number;
    totals: GoldenTotals;
    regressions: string[];
    previous?: GoldenTotals | null;
  },
): Promise<void> {
  const [course] = await tx.select().from(courses).where(eq(courses.id, run.courseId));
  if (!course) return;
  const instructors = await tx.select({ userId: enrollments.userId }).from(enrollments).where(and(
    eq(enrollments.courseId, run.courseId),
    eq(enrollments.role, "instructor"),
    isNull(enrollments.deletedAt),
  ));
  const recipients = new Set(instructors.map((r) => r.userId));
  if (run.requestedBy) recipients.add(run.requestedBy);
  const t = run.totals;
  const was = run.previous ? ` (was ${run.previous.retrievalHits} and ${run.previous.answerHits})` : "";
  for (const userId of recipients) {
    await enqueueJob(tx, {
      type: "notifications.deliver",
      payload: {
        userId,
        kind: "golden.drop",
        title: `Golden set of ${course.code} got worse`,
        body: `${run.regressions.length} question(s) that passed before now fail at corpus version ` +
          `${run.corpusVersion}: passages found ${t.retrievalHits}/${t.questions}, expected answers given ` +
          `${t.answerHits}/${t.withAnswer}${was}.`,
        data: { courseId: run.courseId, runId: run.id, regressions: run.regressions },
      },
      scope: { facultyId: course.facultyId, courseId: run.courseId },
    });
  }
}
