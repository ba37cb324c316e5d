/**
 * The authoring feature's calls to the API (through the typed client): a course's exams for its staff, one exam
 * with its keys and citations, the generation job's progress, the course's documents (for the blueprint and the
 * citations), the review queue and the results with item statistics. The exam routes declare open objects, so the
 * fields read here by name are those core's `examView`, `itemView` and `examResults` write.
 */
import { useInfiniteQuery, useQuery } from "@tanstack/preact-query";
import { api, unwrap } from "../../lib/api.ts";

/** Where a key comes from: a passage (chunk) of a document, and its supporting sentence. */
export interface Citation {
  chunkId: string;
  documentId: string;
  page: number;
  quote: string;
}

/** Kinds of item the API knows. */
export const ITEM_TYPES = ["multiple_choice", "true_false", "short_answer"] as const;
/** One kind of item. */
export type ItemType = typeof ITEM_TYPES[number];
/** Difficulty levels of an item and of the blueprint's mix. */
export const DIFFICULTIES = ["easy", "medium", "hard"] as const;

/** An item as staff see it: with its key, explanation and citations. */
export interface StaffItem {
  id: string;
  ordinal: number;
  type: ItemType;
  question: string;
  options: string[];
  points: number;
  answerKey: string;
  explanation: string | null;
  difficulty: typeof DIFFICULTIES[number] | null;
  citations: Citation[] | null;
}

/** Lifecycle states of an exam. */
export type ExamStatus = "generating" | "draft" | "failed" | "published" | "closed" | "released";

/** An exam as staff see it. */
export interface StaffExam {
  id: string;
  courseId: string;
  title: string;
  status: ExamStatus;
  note: string | null;
  language: string;
  generationJobId: string | null;
  opensAt: string | null;
  closesAt: string | null;
  timeLimitMinutes: number | null;
  attemptsAllowed: number;
  allowLate: boolean;
  createdAt: string;
  /** The blueprint the exam was generated from (older exams may lack objectives). */
  blueprint?: { objectives?: string[] } | null;
  items: StaffItem[];
}

/** The whole passage an item's key cites. */
export interface ItemSource {
  chunkId: string;
  documentId: string;
  documentTitle: string;
  pageStart: number | null;
  pageEnd: number | null;
  heading: string | null;
  text: string;
  quote: string;
}

/** One answer of the review queue. */
export interface ReviewEntry {
  answerId: string;
  attemptId: string;
  userId: string;
  itemId: string;
  question: string;
  answerKey: string;
  points: number;
  answer: string | null;
  score: number | null;
  confidence: number | null;
  justification: string | null;
  gradedBy: string | null;
}

/** Results for staff: every attempt, and statistics of each item. */
export interface ExamResultsView {
  examId: string;
  attempts: {
    attemptId: string;
    userId: string;
    email: string;
    attemptNo: number;
    status: string;
    submitKind: string | null;
    score: number | null;
    maxScore: number | null;
  }[];
  items: {
    itemId: string;
    responses: number;
    difficulty: number;
    discrimination: number | null;
    choices: { option: string; count: number; key: boolean }[] | null;
    otherChoices: number | null;
  }[];
}

/** Query keys of the feature, in one place so invalidation matches. */
export const authoringKeys = {
  all: ["authoring"] as const,
  list: (courseId: string) => ["authoring", "list", courseId] as const,
  exam: (examId: string) => ["authoring", "exam", examId] as const,
  job: (jobId: string) => ["authoring", "job", jobId] as const,
  documents: (courseId: string) => ["authoring", "documents", courseId] as const,
  review: (examId: string) => ["authoring", "review", examId] as const,
  results: (examId: string) => ["authoring", "results", examId] as const,
  source: (itemId: string) => ["authoring", "source", itemId] as const,
};

/** The whole passage an item cites, fetched when asked for (`enabled`). */
export function useItemSource(examId: string, itemId: string, enabled: boolean) {
  return useQuery({
    queryKey: authoringKeys.source(itemId),
    enabled,
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/exams/{id}/items/{itemId}/source", {
          params: { path: { id: examId, itemId } },
        }),
      ) as ItemSource,
  });
}

/** Asks for a new version of one item and waits for its job; the outcome's note when nothing was replaced. */
export async function regenerateItem(examId: string, itemId: string): Promise<string | null> {
  const { jobId } = unwrap(
    await api.POST("/api/v1/exams/{id}/items/{itemId}/regenerate", {
      params: { path: { id: examId, itemId } },
    }),
  );
  for (let wait = 250;; wait = Math.min(wait * 2, 2000)) {
    await new Promise((resolve) => setTimeout(resolve, wait));
    const job = unwrap(await api.GET("/api/v1/jobs/{id}", { params: { path: { id: jobId } } }));
    if (job.status === "succeeded") {
      const result = job.result as { status?: string; note?: string } | null;
      return result?.status === "replaced" ? null : result?.note ?? "";
    }
    if (job.status === "dead") return job.error ?? job.status;
  }
}

const PAGE = 50;

/** A course's exams, drafts included, a page at a time (newest first). */
export function useStaffExams(courseId: string) {
  return useInfiniteQuery({
    queryKey: authoringKeys.list(courseId),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/api/v1/courses/{id}/exams", {
          params: { path: { id: courseId }, query: { limit: PAGE, cursor: pageParam } },
        }),
      ) as unknown as { items: StaffExam[]; nextCursor: string | null },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** One exam with its items; polled while it is being generated. */
export function useStaffExam(examId: string) {
  return useQuery({
    queryKey: authoringKeys.exam(examId),
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/exams/{id}", { params: { path: { id: examId } } }),
      ) as unknown as StaffExam,
    refetchInterval: (q) => q.state.data?.status === "generating" ? 1000 : false,
  });
}

/** The generation job (its progress), polled until it settles. */
export function useJob(jobId: string | null, active: boolean) {
  return useQuery({
    queryKey: authoringKeys.job(jobId ?? "none"),
    enabled: !!jobId && active,
    queryFn: async () => unwrap(await api.GET("/api/v1/jobs/{id}", { params: { path: { id: jobId! } } })),
    refetchInterval: active ? 1000 : false,
  });
}

/** The course's documents (first 100), for the blueprint's coverage and the citations' titles. */
export function useCourseDocuments(courseId: string) {
  return useQuery({
    queryKey: authoringKeys.documents(courseId),
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/courses/{id}/documents", {
          params: { path: { id: courseId }, query: { limit: 100 } },
        }),
      ).items,
  });
}

/** The answers graded with low confidence, a page at a time (oldest first). */
export function useReviewQueue(examId: string) {
  return useInfiniteQuery({
    queryKey: authoringKeys.review(examId),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/api/v1/exams/{id}/review", {
          params: { path: { id: examId }, query: { limit: PAGE, cursor: pageParam } },
        }),
      ) as unknown as { items: ReviewEntry[]; nextCursor: string | null },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** Results per student and item statistics. */
export function useExamResults(examId: string) {
  return useQuery({
    queryKey: authoringKeys.results(examId),
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/exams/{id}/results", { params: { path: { id: examId } } }),
      ) as unknown as ExamResultsView,
  });
}
