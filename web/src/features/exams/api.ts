/**
 * The exams feature's calls to the API (through the typed client) and the server clock. Every time shown to the
 * student is measured on the server's clock: each answer that carries the server's time (`serverTime` of an
 * attempt, `savedAt` of an autosave, the `Date` header otherwise) re-estimates the offset between the two clocks.
 */
import { useQuery } from "@tanstack/preact-query";
import { api, type Schemas, unwrap } from "../../lib/api.ts";

/** An attempt with its items, answers and (after release) grades. */
export type Attempt = Schemas["ExamAttempt"];
/** An attempt without its items. */
export type AttemptSummary = Schemas["ExamAttemptSummary"];
/** One item of an attempt. */
export type AttemptItem = Attempt["items"][number];

/**
 * An exam as students see it. The API declares only its first fields (`Exam` is an open object); the rest are
 * those `examView` in core writes, read here by name.
 */
export interface ExamView {
  id: string;
  courseId: string;
  title: string;
  status: "generating" | "draft" | "failed" | "published" | "closed" | "released";
  opensAt: string | null;
  closesAt: string | null;
  timeLimitMinutes: number | null;
  attemptsAllowed: number;
  allowLate: boolean;
  language: string;
}

let clockOffsetMs = 0;
let preciseClock = false;

/** The server's clock now, in milliseconds (the client's clock corrected by the last offset measured). */
export function serverNow(): number {
  return Date.now() + clockOffsetMs;
}

/**
 * Records a server timestamp received in an answer that took `[sentAt, receivedAt]` on the client's clock: the
 * server read its clock about half-way through the round trip. A `Date` header (`coarse`: whole seconds) is used
 * only until an exact timestamp has been seen, so it never undoes one.
 */
export function syncClock(
  serverTime: string | null | undefined,
  sentAt: number,
  options: { coarse?: boolean; receivedAt?: number } = {},
): void {
  const server = serverTime ? Date.parse(serverTime) : NaN;
  if (Number.isNaN(server) || (options.coarse && preciseClock)) return;
  // A Date header truncates to the second: its true value lies half a second later on average.
  const estimate = options.coarse ? server + 500 : server;
  clockOffsetMs = estimate - (sentAt + (options.receivedAt ?? Date.now())) / 2;
  if (!options.coarse) preciseClock = true;
}

function syncFromDateHeader(response: Response, sentAt: number): void {
  const date = response.headers.get("date");
  if (date) syncClock(new Date(date).toISOString(), sentAt, { coarse: true });
}

/** Query keys of the feature, in one place so invalidation matches. */
export const examKeys = {
  list: (courseId: string) => ["exams", "course", courseId] as const,
  exam: (examId: string) => ["exams", "exam", examId] as const,
  mine: (filter: string) => ["exams", "mine", filter] as const,
  attempt: (attemptId: string) => ["exams", "attempt", attemptId] as const,
};

/** The exams of a course the caller may see (students: published, closed, released). */
export function useCourseExams(courseId: string) {
  return useQuery({
    queryKey: examKeys.list(courseId),
    queryFn: async () => {
      const sentAt = Date.now();
      const result = await api.GET("/api/v1/courses/{id}/exams", {
        params: { path: { id: courseId }, query: { limit: 100 } },
      });
      syncFromDateHeader(result.response, sentAt);
      return unwrap(result).items as unknown as ExamView[];
    },
  });
}

/** One exam (without keys until results are released). */
export function useExam(examId: string) {
  return useQuery({
    queryKey: examKeys.exam(examId),
    queryFn: async () => {
      const sentAt = Date.now();
      const result = await api.GET("/api/v1/exams/{id}", { params: { path: { id: examId } } });
      syncFromDateHeader(result.response, sentAt);
      return unwrap(result) as unknown as ExamView;
    },
  });
}

/** The caller's own attempts of one exam or of a course's exams, newest first. */
export function useMyAttempts(filter: { examId: string } | { courseId: string }) {
  const key = "examId" in filter ? `exam:${filter.examId}` : `course:${filter.courseId}`;
  return useQuery({
    queryKey: examKeys.mine(key),
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/me/exam-attempts", { params: { query: { ...filter, limit: 100 } } }))
        .items,
  });
}

/** One attempt with its items and saved answers; grades, keys and explanations once results are released. */
export function useAttempt(attemptId: string | undefined) {
  return useQuery({
    queryKey: examKeys.attempt(attemptId ?? "none"),
    enabled: !!attemptId,
    // The attempt is the source of truth while it is taken: always read it fresh (a reload resumes from it).
    staleTime: 0,
    queryFn: async () => {
      const sentAt = Date.now();
      const attempt = unwrap(
        await api.GET("/api/v1/attempts/{id}", { params: { path: { id: attemptId! } } }),
      );
      syncClock(attempt.serverTime, sentAt);
      return attempt;
    },
  });
}

/** Starts an attempt on the server clock. */
export async function startAttempt(examId: string): Promise<Attempt> {
  const sentAt = Date.now();
  const attempt = unwrap(await api.POST("/api/v1/exams/{id}/attempts", { params: { path: { id: examId } } }));
  syncClock(attempt.serverTime, sentAt);
  return attempt;
}

/** Saves answers of an attempt in progress; returns the server's deadline (re-synchronising the clock). */
export async function saveAnswers(
  attemptId: string,
  answers: { itemId: string; answer: string | null }[],
): Promise<{ savedAt: string; deadlineAt: string | null }> {
  const sentAt = Date.now();
  const saved = unwrap(
    await api.PUT("/api/v1/attempts/{id}/answers", {
      params: { path: { id: attemptId } },
      body: { answers },
    }),
  );
  syncClock(saved.savedAt, sentAt);
  return saved;
}

/** Submits an attempt (grading then runs on the server). */
export async function submitAttempt(attemptId: string): Promise<void> {
  unwrap(await api.POST("/api/v1/attempts/{id}/submit", { params: { path: { id: attemptId } } }));
}
