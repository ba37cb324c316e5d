/**
 * Released results of an attempt: the score, and for each item whether it was right (in words, not colour alone),
 * the points, the student's answer and the key, the explanation, the grader's note on a short answer, and the
 * passage of the course material the item was written from.
 */
import { ErrorNotice, Loading } from "../../components/ui.tsx";
import type { MessageKey } from "../../i18n/en.ts";
import { useI18n } from "../../lib/i18n.tsx";
import { type AttemptItem, useAttempt } from "./api.ts";

function verdict(item: AttemptItem): { key: MessageKey; tone: string } {
  if (!item.answer?.trim()) return { key: "exams.verdict.unanswered", tone: "wrong" };
  const score = item.score ?? 0;
  if (score >= item.points) return { key: "exams.verdict.correct", tone: "right" };
  if (score > 0) return { key: "exams.verdict.partial", tone: "partial" };
  return { key: "exams.verdict.incorrect", tone: "wrong" };
}

function shown(answer: string, t: (key: MessageKey) => string): string {
  if (answer === "True") return t("exams.true");
  if (answer === "False") return t("exams.false");
  return answer;
}

/** The results of one attempt once the exam's results are released. */
export function ExamResults(props: { attemptId: string }) {
  const { t, language } = useI18n();
  const attempt = useAttempt(props.attemptId);
  if (attempt.isPending) return <Loading />;
  if (!attempt.data) return <ErrorNotice error={attempt.error} onRetry={() => attempt.refetch()} />;
  const a = attempt.data;
  if (a.status !== "graded" || a.score === null || a.maxScore === null) {
    return <p class="notice">{t("exams.beingGraded")}</p>;
  }
  const number = new Intl.NumberFormat(language, { maximumFractionDigits: 2 });
  const percent = a.maxScore > 0 ? Math.round((a.score / a.maxScore) * 100) : 0;
  return (
    <div class="exam-results">
      <p class="exam-score">
        {t("exams.score", {
          score: number.format(a.score),
          max: number.format(a.maxScore),
          percent: number.format(percent),
        })}
      </p>
      <ol class="exam-items">
        {a.items.map((item, index) => {
          const v = verdict(item);
          return (
            <li key={item.id} class={`exam-item result ${v.tone}`}>
              <h2 class="item-result-head">
                <span class="item-no">{t("exams.itemNumber", { n: index + 1 })}</span>{" "}
                <span class={`verdict ${v.tone}`}>{t(v.key)}</span>{" "}
                <span class="muted">
                  {t("exams.points", {
                    score: number.format(item.score ?? 0),
                    points: number.format(item.points),
                  })}
                </span>
              </h2>
              <p class="item-question" dir="auto">{item.question}</p>
              <dl class="item-answers">
                <dt>{t("exams.yourAnswer")}</dt>
                <dd dir="auto">{item.answer?.trim() ? shown(item.answer, t) : t("exams.noAnswer")}</dd>
                {item.answerKey !== undefined && (
                  <>
                    <dt>{t("exams.correctAnswer")}</dt>
                    <dd dir="auto">{shown(item.answerKey, t)}</dd>
                  </>
                )}
              </dl>
              {item.explanation && (
                <p class="explanation">
                  <strong>{t("exams.explanation")}</strong> <span dir="auto">{item.explanation}</span>
                </p>
              )}
              {item.type === "short_answer" && item.justification && (
                <p class="explanation">
                  <strong>{t("exams.graderNote")}</strong> <span dir="auto">{item.justification}</span>
                </p>
              )}
              {(item.citations ?? []).map((c) => (
                <figure key={c.chunkId} class="cited">
                  <figcaption>
                    {c.page ? t("exams.citedPage", { page: c.page }) : t("exams.cited")}
                  </figcaption>
                  <blockquote dir="auto">{c.quote}</blockquote>
                </figure>
              ))}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
