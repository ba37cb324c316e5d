import assert from "node:assert/strict";
import type { AttemptSummary, ExamView } from "./api.ts";
import { nextBoundaryOf, renderDelay, standingOf } from "./standing.ts";

const NOW = Date.parse("2026-12-07T10:00:00Z");
const exam = (patch: Partial<ExamView> = {}): ExamView => ({
  id: "e1",
  courseId: "c1",
  title: "Quiz",
  status: "published",
  opensAt: "2026-12-07T09:00:00Z",
  closesAt: "2026-12-07T11:00:00Z",
  timeLimitMinutes: 30,
  attemptsAllowed: 1,
  allowLate: false,
  language: "en",
  ...patch,
});
const attempt = (patch: Partial<AttemptSummary> = {}): AttemptSummary => ({
  id: "a1",
  examId: "e1",
  userId: "u1",
  attemptNo: 1,
  status: "submitted",
  startedAt: "2026-12-07T09:10:00Z",
  deadlineAt: "2026-12-07T09:40:00Z",
  submittedAt: "2026-12-07T09:30:00Z",
  submitKind: "manual",
  gradingJobId: null,
  score: null,
  maxScore: null,
  ...patch,
});

Deno.test("standingOf() reads an exam inside its window without attempts as open", () => {
  assert.deepEqual(standingOf(exam(), [], NOW), { kind: "open", attemptsLeft: 1 });
});

Deno.test("standingOf() reads an exam before its window as upcoming, after it as missed", () => {
  assert.equal(standingOf(exam({ opensAt: "2026-12-07T10:30:00Z" }), [], NOW).kind, "upcoming");
  assert.equal(standingOf(exam({ closesAt: "2026-12-07T09:59:59Z" }), [], NOW).kind, "missed");
  assert.equal(standingOf(exam({ status: "closed" }), [], NOW).kind, "missed");
});

Deno.test("standingOf() resumes an attempt in progress and ignores other exams' attempts", () => {
  const current = attempt({ status: "in_progress", submittedAt: null, submitKind: null });
  assert.deepEqual(standingOf(exam(), [current], NOW), { kind: "in_progress", attempt: current });
  assert.equal(standingOf(exam(), [attempt({ examId: "e2" })], NOW).kind, "open");
});

Deno.test("standingOf() says submitted (with attempts left) until results are released", () => {
  const done = attempt();
  assert.deepEqual(standingOf(exam(), [done], NOW), {
    kind: "submitted",
    attempt: done,
    attemptsLeft: 0,
    open: true,
  });
  const two = standingOf(exam({ attemptsAllowed: 2 }), [done], NOW);
  assert.equal(two.kind === "submitted" && two.attemptsLeft, 1);
  assert.deepEqual(standingOf(exam({ status: "released" }), [done], NOW), {
    kind: "released",
    attempt: done,
  });
  assert.equal(standingOf(exam({ status: "released" }), [], NOW).kind, "missed");
});

Deno.test("nextBoundaryOf() is the window's opening before it, its closing inside it, and nothing after it", () => {
  const opens = Date.parse("2026-12-07T10:30:00Z");
  const closes = Date.parse("2026-12-07T11:00:00Z");
  const upcoming = exam({ opensAt: "2026-12-07T10:30:00Z" });
  assert.equal(nextBoundaryOf(upcoming, NOW), opens);
  // Once that render sees it open, the next boundary is the close: the page renders again when it passes.
  assert.equal(nextBoundaryOf(upcoming, opens + 100), closes);
  assert.equal(standingOf(upcoming, [], opens + 100).kind, "open");
  assert.equal(nextBoundaryOf(exam(), NOW), closes);
  assert.equal(standingOf(exam(), [], closes + 100).kind, "missed");
  assert.equal(nextBoundaryOf(exam(), closes), null);
});

Deno.test("nextBoundaryOf() has no boundary for an open-ended, closed or released exam", () => {
  assert.equal(nextBoundaryOf(exam({ opensAt: null, closesAt: null }), NOW), null);
  assert.equal(nextBoundaryOf(exam({ opensAt: null }), NOW), Date.parse("2026-12-07T11:00:00Z"));
  assert.equal(nextBoundaryOf(exam({ status: "closed" }), NOW), null);
  assert.equal(nextBoundaryOf(exam({ status: "released" }), NOW), null);
});

Deno.test("renderDelay() waits until a little past the moment, in steps no longer than a timer allows", () => {
  assert.equal(renderDelay(NOW + 5_000, NOW), 5_100);
  assert.equal(renderDelay(NOW, NOW), null);
  assert.equal(renderDelay(NOW - 1, NOW), null);
  assert.equal(renderDelay(null, NOW), null);
  assert.equal(renderDelay(NOW + 40 * 86_400_000, NOW), 2 ** 31 - 1);
});
