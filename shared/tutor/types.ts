/** Shared vocabulary of the tutor pipeline; no behaviour here. */
import type { PageBreak } from "../documents/types.ts";

/** The languages the tutor answers in. */
export type TutorLanguage = "en" | "ar";

/** How a course lets the tutor answer: set by the course's instructors. */
export type AnswerPolicy = "direct" | "socratic" | "hints-only";

/** Every answer policy, for schemas. */
export const ANSWER_POLICIES = ["direct", "socratic", "hints-only"] as const;

/** What the student's question is, as far as the guardrails can tell. */
export type TutorIntent =
  | "greeting"
  | "course_question"
  | "off_topic"
  | "exam_lockout"
  | "abuse"
  | "prompt_injection";

/** The course a chat session is bound to; the retriever never looks outside it. */
export interface TutorScope {
  courseId: string;
  semesterId?: string;
  facultyId?: string;
}

/** One passage of course material as the retriever returns it. */
export interface RetrievedChunk {
  chunkId: string;
  documentId: string;
  documentTitle: string;
  /** First page of the chunk, when the document has pages. */
  page: number | null;
  /** Where each later page begins in `text` (absent or empty: all of it is cited at `page`). */
  pageBreaks?: PageBreak[];
  text: string;
  /** Retriever's own score (fusion rank for hybrid search); comparable only within one result list. */
  score: number;
  /** Course the chunk belongs to, when the retriever knows it; the pipeline drops chunks of any other course. */
  courseId?: string;
}

/** A source the answer cites, numbered as in the answer text ("[1]"). */
export interface Citation {
  index: number;
  chunkId: string;
  documentId: string;
  documentTitle: string;
  /** The page of the quoted passage (a chunk may span pages), when the document has pages. */
  page: number | null;
  /** The passage of the chunk the answer draws on (its first sentences when none matches), for display. */
  snippet: string;
}

/** One earlier turn of the session, as the prompt builder and the summary see it. */
export interface TutorTurn {
  role: "student" | "tutor";
  text: string;
  /** Citations of a tutor turn. */
  citations?: Citation[];
  /** Whether a tutor turn was a refusal (nothing found, guardrail). */
  refused?: boolean;
}

/** What one turn cost, for usage accounting and quotas. */
export interface TurnUsage {
  /** Model id, or "offline-extractive" for the offline tutor. */
  model: string;
  /** Tokens when a model reports them, characters for the offline tutor. */
  unit: "tokens" | "characters";
  input: number;
  output: number;
  /** Wall time of the whole turn, from question to final answer. */
  latencyMs: number;
  /** Time to the first answer piece. */
  firstTokenMs: number | null;
  cached: boolean;
}
