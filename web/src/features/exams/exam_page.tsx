/**
 * An exam's page (`/courses/:id/exams/:examId`): what the student can do with it now — start, resume an attempt
 * in progress (a reload lands here and resumes it with its saved answers), wait for results, or read them.
 */
import { useQueryClient } from "@tanstack/preact-query";
import { useRoute } from "preact-iso";
import { useState } from "preact/hooks";
import { ErrorNotice, Loading, Page } from "../../components/ui.tsx";
import { useI18n } from "../../lib/i18n.tsx";
import {
  examKeys,
  type ExamView,
  serverNow,
  startAttempt,
  useAttempt,
  useExam,
  useMyAttempts,
} from "./api.ts";
import { ExamResults } from "./exam_results.tsx";
import { ExamTake } from "./exam_take.tsx";
import { describe, useDateTime } from "./exams_panel.tsx";
import { useRenderAt } from "./clock.ts";
import { nextBoundaryOf, type Standing, standingOf } from "./standing.ts";
import "./exams.css";

/** The exam page route. */
export function ExamPage() {
  const { t } = useI18n();
  const { params } = useRoute();
  const exam = useExam(params.examId);
  const attempts = useMyAttempts({ examId: params.examId });
  const queryClient = useQueryClient();
  useRenderAt(exam.data ? nextBoundaryOf(exam.data, serverNow()) : null);
  const back = (
    <p>
      <a href={`/courses/${params.id}/exams`}>{t("exams.back")}</a>
    </p>
  );
  if (exam.isPending || attempts.isPending) return <Loading />;
  if (!exam.data || !attempts.data) {
    return (
      <Page title={t("exams.title")}>
        {back}
        <ErrorNotice error={exam.error ?? attempts.error} />
      </Page>
    );
  }
  const standing = standingOf(exam.data, attempts.data, serverNow());
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ["exams"] });
  };
  return (
    <Page title={exam.data.title} wide>
      {back}
      {standing.kind === "in_progress"
        ? <TakeAttempt attemptId={standing.attempt.id} onDone={refresh} />
        : <ExamStatus exam={exam.data} standing={standing} onStarted={refresh} />}
    </Page>
  );
}

function TakeAttempt(props: { attemptId: string; onDone: () => Promise<void> }) {
  const attempt = useAttempt(props.attemptId);
  if (attempt.isPending) return <Loading />;
  if (!attempt.data) return <ErrorNotice error={attempt.error} onRetry={() => attempt.refetch()} />;
  // Keyed by attempt, so the form reads the saved answers once and then owns them.
  return <ExamTake key={attempt.data.id} attempt={attempt.data} onDone={props.onDone} />;
}

function ExamStatus(props: { exam: ExamView; standing: Standing; onStarted: () => Promise<void> }) {
  const { t } = useI18n();
  const when = useDateTime();
  const queryClient = useQueryClient();
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { exam, standing } = props;
  const canStart = standing.kind === "open" ||
    (standing.kind === "submitted" && standing.open && standing.attemptsLeft > 0);

  async function start() {
    setStarting(true);
    setError(null);
    try {
      const attempt = await startAttempt(exam.id);
      queryClient.setQueryData(examKeys.attempt(attempt.id), attempt);
      await props.onStarted();
    } catch (err) {
      setError(err);
    } finally {
      setStarting(false);
    }
  }

  return (
    <div class="exam-status">
      <p class={`badge standing-${standing.kind}`}>{t(`exams.standing.${standing.kind}`)}</p>
      <p role="status">{describe(standing, exam.closesAt, when, t)}</p>
      {standing.kind === "submitted" && standing.attempt.submitKind === "auto" && (
        <p class="notice">{t("exams.autoSubmitted")}</p>
      )}
      {standing.kind === "submitted" && standing.attempt.submittedAt && (
        <p class="muted">{t("exams.submittedAt", { when: when(standing.attempt.submittedAt) })}</p>
      )}
      {standing.kind === "released" && <ExamResults attemptId={standing.attempt.id} />}
      {canStart && (
        <div class="exam-start">
          <ul class="exam-facts">
            {exam.timeLimitMinutes
              ? <li>{t("exams.timeLimit", { minutes: exam.timeLimitMinutes })}</li>
              : <li>{t("exams.noTimeLimit")}</li>}
            {exam.closesAt && <li>{t("exams.closesAt", { when: when(exam.closesAt) })}</li>}
            <li>
              {t("exams.attemptsLeft", {
                left: standing.kind === "open" || standing.kind === "submitted" ? standing.attemptsLeft : 0,
                allowed: exam.attemptsAllowed,
              })}
            </li>
            <li>{t("exams.autosaveNote")}</li>
          </ul>
          <button type="button" class="primary" onClick={start} disabled={starting}>
            {standing.kind === "submitted" ? t("exams.startAgain") : t("exams.start")}
          </button>
        </div>
      )}
      <ErrorNotice error={error} />
    </div>
  );
}
