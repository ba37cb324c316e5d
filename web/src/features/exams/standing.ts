/** Where a student stands with an exam, from the exam, their attempts (newest first) and the server's time. */
import type { AttemptSummary, ExamView } from "./api.ts";

/** What the exam list and the exam page show for one exam. */
export type Standing =
  | { kind: "upcoming"; opensAt: string }
  | { kind: "open"; attemptsLeft: number }
  | { kind: "in_progress"; attempt: AttemptSummary }
  | { kind: "submitted"; attempt: AttemptSummary; attemptsLeft: number; open: boolean }
  | { kind: "released"; attempt: AttemptSummary }
  | { kind: "missed" }
  | { kind: "unavailable" };

/** The student's standing with `exam` at server time `now`. */
export function standingOf(exam: ExamView, attempts: AttemptSummary[], now: number): Standing {
  const mine = attempts.filter((a) => a.examId === exam.id);
  const latest = mine[0];
  const current = mine.find((a) => a.status === "in_progress");
  if (current && exam.status === "published") return { kind: "in_progress", attempt: current };
  if (exam.status === "released") return latest ? { kind: "released", attempt: latest } : { kind: "missed" };
  const opens = exam.opensAt ? Date.parse(exam.opensAt) : null;
  const closes = exam.closesAt ? Date.parse(exam.closesAt) : null;
  const open = exam.status === "published" && (opens === null || now >= opens) &&
    (closes === null || now < closes);
  const attemptsLeft = Math.max(0, exam.attemptsAllowed - mine.length);
  if (latest) return { kind: "submitted", attempt: latest, attemptsLeft, open };
  if (exam.status === "published" && opens !== null && now < opens) {
    return { kind: "upcoming", opensAt: exam.opensAt! };
  }
  if (open) return { kind: "open", attemptsLeft };
  if (exam.status === "published" || exam.status === "closed") return { kind: "missed" };
  return { kind: "unavailable" };
}

/**
 * The next server time after `now` at which `exam`'s standing can change by the clock alone: its window opening
 * (upcoming becomes open) or else closing (open becomes missed, a second attempt can no longer start); null when
 * none is ahead or the exam is not published (then only the academic's actions change it).
 */
export function nextBoundaryOf(exam: ExamView, now: number): number | null {
  if (exam.status !== "published") return null;
  const ahead = [exam.opensAt, exam.closesAt].map((at) => at ? Date.parse(at) : NaN).filter((at) => at > now);
  return ahead.length > 0 ? Math.min(...ahead) : null;
}

/** Timers cap near 24.8 days; a later moment is waited for in steps. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * How long to wait from server time `now` to render again for the moment `at`: a little past it, so the new
 * render sees the new standing; null when `at` is not ahead.
 */
export function renderDelay(at: number | null, now: number): number | null {
  const due = at === null ? NaN : at - now;
  if (!(due > 0)) return null;
  return Math.min(due + 100, LONGEST_TIMER_MS);
}
