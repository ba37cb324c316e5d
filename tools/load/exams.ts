/**
 * Exams in the load workload: an academic generates an exam from the course's ingested material (the workers'
 * `exams.generate` job, the model answering through the fake) and publishes it; students take it (start, answer,
 * submit) and wait for the workers' `exams.grade` job to grade the attempt. The run's integrity checks then count
 * every submitted attempt graded exactly once (tools/load/main.ts).
 */
import { sql } from "drizzle-orm";
import { createApiClient } from "../../shared/api/client.ts";
import { type Database, queryRows } from "../../shared/db/client.ts";
import type { LoadUser } from "./stack.ts";

/** Attempts a student may make on one exam (the API's maximum): takers move on to a newer exam after that. */
export const ATTEMPTS_PER_EXAM = 20;

/** The exams published so far, newest last; shared by the workload's phases. */
export interface ExamPool {
  published: string[];
  /** Attempts made per `examId:userId`, so no student asks for an attempt past the exam's allowance. */
  used: Map<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What one exam's authoring took. */
export interface Authored {
  examId: string;
  /** Create to draft, through the generation job. */
  generationMs: number;
  /** Status of the generation job, or the step that failed (`create 503`, `publish 409`). */
  outcome: string;
}

/**
 * Generates an exam (two multiple-choice, one true/false and two short-answer items) and publishes it for two hours
 * with {@link ATTEMPTS_PER_EXAM} attempts; `outcome` is `published` when it worked.
 */
export async function authorExam(
  edgeUrl: string,
  academic: LoadUser,
  courseId: string,
  timeoutMs = 120_000,
): Promise<Authored> {
  const api = createApiClient(edgeUrl, { headers: { authorization: academic.authorization } });
  const started = performance.now();
  const created = await api.POST("/api/v1/courses/{id}/exams", {
    params: { path: { id: courseId } },
    body: {
      title: `Load quiz ${new Date().toISOString()}`,
      blueprint: {
        counts: { multiple_choice: 2, true_false: 1, short_answer: 2 },
        difficulty: { easy: 0.3, medium: 0.5, hard: 0.2 },
        language: "en",
      },
    },
  });
  if (created.response.status !== 202 || !created.data) {
    return { examId: "", generationMs: 0, outcome: `create ${created.response.status}` };
  }
  const { examId, jobId } = created.data;
  const deadline = Date.now() + timeoutMs;
  let status = "queued";
  while (Date.now() < deadline) {
    const { data, response } = await api.GET("/api/v1/jobs/{id}", { params: { path: { id: jobId } } });
    if (response.ok && data) status = (data as { status: string }).status;
    if (status === "succeeded" || status === "dead") break;
    await sleep(250);
  }
  const generationMs = performance.now() - started;
  if (status !== "succeeded") return { examId, generationMs, outcome: `generation ${status}` };
  const published = await api.POST("/api/v1/exams/{id}/publish", {
    params: { path: { id: examId } },
    body: {
      closesAt: new Date(Date.now() + 2 * 3_600_000).toISOString(),
      attemptsAllowed: ATTEMPTS_PER_EXAM,
      allowLate: false,
    },
  });
  if (published.response.status !== 200) {
    return { examId, generationMs, outcome: `publish ${published.response.status}` };
  }
  return { examId, generationMs, outcome: "published" };
}

/** What one sitting took. */
export interface Sitting {
  /** Start (or, with an attempt left open, the reads that resume it), answer and submit, each timed. */
  steps: { ms: number; status: number }[];
  attemptId?: string;
  /** Submit to graded, when it was graded within the wait. */
  gradingMs?: number;
  /** `graded`, or why not (`not graded`, a failed step's status). */
  outcome: string;
}

/**
 * A student sits `examId`: starts an attempt (or resumes the one a failure left open), answers every item, submits,
 * and waits for the grade.
 */
export async function sitExam(
  edgeUrl: string,
  student: LoadUser,
  examId: string,
  gradeTimeoutMs = 120_000,
): Promise<Sitting> {
  const api = createApiClient(edgeUrl, { headers: { authorization: student.authorization } });
  const steps: Sitting["steps"] = [];
  const timed = async <T extends { response: Response }>(fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const out = await fn();
    steps.push({ ms: performance.now() - started, status: out.response.status });
    return out;
  };
  type Open = { id: string; items: { id: string; type: string; options: string[] | null }[] };
  let attempt: Open | undefined;
  const started = await timed(() =>
    api.POST("/api/v1/exams/{id}/attempts", { params: { path: { id: examId } } })
  );
  if (started.response.status === 201 && started.data) attempt = started.data as unknown as Open;
  else if (started.response.status === 409) {
    // An attempt left open (a sitting cut off by a failure): resume it, as the student's screen does. The 409 is
    // the answer that says so, not an error; the resume's reads are timed in its place.
    steps.pop();
    const mine = await timed(() =>
      api.GET("/api/v1/me/exam-attempts", { params: { query: { examId, limit: 5 } } })
    );
    const open = (mine.data as { items?: { id: string; status: string }[] } | undefined)?.items
      ?.find((a) => a.status === "in_progress");
    if (open) {
      const read = await timed(() => api.GET("/api/v1/attempts/{id}", { params: { path: { id: open.id } } }));
      if (read.response.ok && read.data) attempt = read.data as unknown as Open;
    }
    if (!attempt) {
      steps.push({ ms: 0, status: 409 }); // No attempt to resume: the 409 stands (e.g. no attempts left).
      return { steps, outcome: "start 409" };
    }
  }
  if (!attempt) return { steps, outcome: `start ${started.response.status}` };
  const answers = attempt.items.map((item) => ({
    itemId: item.id,
    answer: item.type === "short_answer" ? "substitution" : (item.options?.[0] ?? "True"),
  }));
  const saved = await timed(() =>
    api.PUT("/api/v1/attempts/{id}/answers", { params: { path: { id: attempt.id } }, body: { answers } })
  );
  if (saved.response.status !== 200) {
    return { steps, attemptId: attempt.id, outcome: `answers ${saved.response.status}` };
  }
  const submitted = await timed(() =>
    api.POST("/api/v1/attempts/{id}/submit", { params: { path: { id: attempt.id } } })
  );
  if (submitted.response.status !== 202) {
    return { steps, attemptId: attempt.id, outcome: `submit ${submitted.response.status}` };
  }
  const submittedAt = performance.now();
  const deadline = Date.now() + gradeTimeoutMs;
  while (Date.now() < deadline) {
    const { data, response } = await api.GET("/api/v1/attempts/{id}", {
      params: { path: { id: attempt.id } },
    });
    if (response.ok && (data as { status?: string } | undefined)?.status === "graded") {
      return { steps, attemptId: attempt.id, gradingMs: performance.now() - submittedAt, outcome: "graded" };
    }
    await sleep(250);
  }
  return { steps, attemptId: attempt.id, outcome: "not graded" };
}

/** Every submitted attempt graded exactly once: what the run's checks count after the drain. */
export interface ExamIntegrity {
  attemptsSubmitted: number;
  attemptsGraded: number;
  /** Attempts graded more than once (more than one grade notification). */
  gradedTwice: number;
  /** Graded attempts whose answers carry no grade. */
  answersUngraded: number;
}

/** Counts attempts submitted and graded, and any graded twice (each grading notifies the student once). */
export async function examIntegrity(database: Database): Promise<ExamIntegrity> {
  const [attempts] = await queryRows<{ submitted: number; graded: number }>(
    database.db,
    sql`select count(*) filter (where status <> 'in_progress')::int as submitted,
      count(*) filter (where status = 'graded')::int as graded from exam_attempts`,
  );
  const [twice] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from (select payload->'data'->>'attemptId' from jobs
      where type = 'notifications.deliver' and payload->'data'->>'attemptId' is not null
      group by 1 having count(*) > 1) t`,
  );
  const [ungraded] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from attempt_answers a join exam_attempts t on t.id = a.attempt_id
      where t.status = 'graded' and a.score is null`,
  );
  return {
    attemptsSubmitted: attempts.submitted,
    attemptsGraded: attempts.graded,
    gradedTwice: twice.n,
    answersUngraded: ungraded.n,
  };
}
