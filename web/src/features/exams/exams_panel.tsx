/** The "Exams" tab of a course: each exam the student may see, with where they stand, linking to its page. */
import { ErrorNotice, Loading } from "../../components/ui.tsx";
import { useI18n } from "../../lib/i18n.tsx";
import { serverNow, useCourseExams, useMyAttempts } from "./api.ts";
import { useRenderAt } from "./clock.ts";
import { nextBoundaryOf, type Standing, standingOf } from "./standing.ts";
import "./exams.css";

/** Formats a server timestamp as a date and time in the UI's language. */
export function useDateTime(): (iso: string) => string {
  const { language } = useI18n();
  const format = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" });
  return (iso) => format.format(new Date(iso));
}

/** The exams panel of `courseId`. */
export function ExamsPanel(props: { courseId: string }) {
  const { t } = useI18n();
  const exams = useCourseExams(props.courseId);
  const attempts = useMyAttempts({ courseId: props.courseId });
  const when = useDateTime();
  // The soonest moment any exam of the list opens or closes: its badge changes then.
  const soonest = Math.min(
    ...(exams.data ?? []).map((exam) => nextBoundaryOf(exam, serverNow()) ?? Infinity),
  );
  useRenderAt(Number.isFinite(soonest) ? soonest : null);
  if (exams.isPending || attempts.isPending) return <Loading />;
  if (!exams.data || !attempts.data) {
    return (
      <ErrorNotice
        error={exams.error ?? attempts.error}
        onRetry={() => {
          void exams.refetch();
          void attempts.refetch();
        }}
      />
    );
  }
  if (exams.data.length === 0) return <p>{t("exams.none")}</p>;
  const now = serverNow();
  return (
    <section aria-labelledby="exams-title">
      <h2 id="exams-title">{t("exams.title")}</h2>
      <ul class="cards exam-list">
        {exams.data.map((exam) => {
          const standing = standingOf(exam, attempts.data, now);
          return (
            <li key={exam.id} class="card">
              <a href={`/courses/${props.courseId}/exams/${exam.id}`} class="card-link">
                <span class="card-title" dir="auto">{exam.title}</span>
              </a>
              <span class={`badge standing-${standing.kind}`}>{t(`exams.standing.${standing.kind}`)}</span>
              <p class="muted">{describe(standing, exam.closesAt, when, t)}</p>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** One line on what the student can do next. */
export function describe(
  standing: Standing,
  closesAt: string | null,
  when: (iso: string) => string,
  t: ReturnType<typeof useI18n>["t"],
): string {
  switch (standing.kind) {
    case "upcoming":
      return t("exams.opensAt", { when: when(standing.opensAt) });
    case "open":
      return closesAt ? t("exams.openUntil", { when: when(closesAt) }) : t("exams.openNow");
    case "in_progress":
      return standing.attempt.deadlineAt
        ? t("exams.resumeUntil", { when: when(standing.attempt.deadlineAt) })
        : t("exams.resume");
    case "submitted":
      return t("exams.notReleased");
    case "released":
      return t("exams.resultsReady");
    case "missed":
      return t("exams.missed");
    case "unavailable":
      return t("exams.unavailable");
  }
}
