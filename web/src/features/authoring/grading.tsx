/**
 * Grading: the review queue (answers graded with low confidence, with the grader's reasoning) with an override
 * that requires a reason (the API audits it), results per student, and item statistics — difficulty,
 * discrimination and which option each answer picked — as a table and a chart.
 */
import { useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { itemsOf, PagedState, ShowMore } from "../../components/paged_table.tsx";
import { ErrorNotice, Field, Loading } from "../../components/ui.tsx";
import { api, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";
import { Chart } from "../insight/chart.tsx";
import { authoringKeys, type ReviewEntry, type StaffExam, useExamResults, useReviewQueue } from "./api.ts";

/** The grading sections of a published, closed or released exam. */
export function Grading(props: { exam: StaffExam }) {
  return (
    <>
      <ReviewQueue exam={props.exam} />
      <Results exam={props.exam} />
    </>
  );
}

function ReviewQueue(props: { exam: StaffExam }) {
  const { t } = useI18n();
  const queue = useReviewQueue(props.exam.id);
  const rows = itemsOf(queue);
  return (
    <section aria-labelledby="review-title" class="authoring-section">
      <h2 id="review-title">{t("grading.queue")}</h2>
      <p class="hint">{t("grading.queueHelp")}</p>
      <PagedState query={queue} empty={t("grading.queueEmpty")} />
      <ul class="review-queue">
        {rows.map((entry) => <ReviewCard key={entry.answerId} examId={props.exam.id} entry={entry} />)}
      </ul>
      <ShowMore query={queue} />
    </section>
  );
}

function ReviewCard(props: { examId: string; entry: ReviewEntry }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const { entry } = props;
  const [score, setScore] = useState(entry.score ?? 0);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const id = `override-${entry.answerId}`;

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const out = unwrap(
        await api.POST("/api/v1/answers/{id}/override", {
          params: { path: { id: entry.answerId } },
          body: { score, justification: reason.trim() },
        }),
      );
      setSaved(out.score);
      await queryClient.invalidateQueries({ queryKey: authoringKeys.results(props.examId) });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <li class="card review-card" aria-label={t("grading.answerTo", { question: entry.question })}>
      <p class="item-question" dir="auto">{entry.question}</p>
      <dl class="review-facts">
        <dt>{t("grading.studentAnswer")}</dt>
        <dd dir="auto">{entry.answer ?? t("grading.noAnswer")}</dd>
        <dt>{t("authoring.key")}</dt>
        <dd dir="auto">{entry.answerKey}</dd>
        <dt>{t("grading.grade")}</dt>
        <dd>
          {t("grading.scoreOf", { score: entry.score ?? 0, points: entry.points })}
          {entry.confidence !== null &&
            ` · ${t("grading.confidence", { percent: Math.round(entry.confidence * 100) })}`}
        </dd>
        <dt>{t("grading.reasoning")}</dt>
        <dd dir="auto">{entry.justification ?? "—"}</dd>
      </dl>
      {saved !== null
        ? (
          <p role="status" class="notice">
            {t("grading.overridden", { score: saved, points: entry.points })}
          </p>
        )
        : (
          <form class="stack override-form" onSubmit={submit}>
            <Field
              label={t("grading.newScore", { points: entry.points })}
              type="number"
              min={0}
              max={entry.points}
              step={0.5}
              required
              value={score}
              onInput={(e) => setScore(Number(e.currentTarget.value) || 0)}
            />
            <div class="field">
              <label for={`${id}-reason`}>{t("grading.reason")}</label>
              <textarea
                id={`${id}-reason`}
                dir="auto"
                rows={2}
                required
                maxLength={2000}
                value={reason}
                onInput={(e) => setReason(e.currentTarget.value)}
              />
            </div>
            <ErrorNotice error={error} />
            <div>
              <button type="submit" class="primary" disabled={busy || reason.trim() === ""}>
                {t("grading.override")}
              </button>
            </div>
          </form>
        )}
    </li>
  );
}

function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function Results(props: { exam: StaffExam }) {
  const { t } = useI18n();
  const results = useExamResults(props.exam.id);
  const order = new Map(props.exam.items.map((item, i) => [item.id, i + 1]));
  const questionOf = new Map(props.exam.items.map((item) => [item.id, item.question]));
  const stats = [...(results.data?.items ?? [])].sort((a, b) =>
    (order.get(a.itemId) ?? 0) - (order.get(b.itemId) ?? 0)
  );
  return (
    <>
      <section aria-labelledby="students-title" class="authoring-section">
        <h2 id="students-title">{t("grading.students")}</h2>
        {results.isPending && <Loading />}
        <ErrorNotice error={results.error} onRetry={() => results.refetch()} />
        {results.data && results.data.attempts.length === 0 && <p>{t("grading.noAttempts")}</p>}
        {results.data && results.data.attempts.length > 0 && (
          <table class="data">
            <thead>
              <tr>
                <th scope="col">{t("grading.student")}</th>
                <th scope="col">{t("grading.attempt")}</th>
                <th scope="col">{t("authoring.status")}</th>
                <th scope="col">{t("grading.score")}</th>
              </tr>
            </thead>
            <tbody>
              {results.data.attempts.map((a) => (
                <tr key={a.attemptId}>
                  <th scope="row" dir="ltr">{a.email}</th>
                  <td>{a.attemptNo}</td>
                  <td>{t(`grading.attemptStatus.${a.status as "in_progress" | "submitted" | "graded"}`)}</td>
                  <td>
                    {a.score === null
                      ? "—"
                      : t("grading.scoreOf", { score: a.score, points: a.maxScore ?? 0 })}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="stats-title" class="authoring-section">
        <h2 id="stats-title">{t("grading.statistics")}</h2>
        <p class="hint">{t("grading.statisticsHelp")}</p>
        {results.data && stats.length === 0 && <p>{t("grading.noStatistics")}</p>}
        {stats.length > 0 && (
          <>
            <table class="data item-stats">
              <thead>
                <tr>
                  <th scope="col">{t("grading.item")}</th>
                  <th scope="col">{t("grading.responses")}</th>
                  <th scope="col">{t("grading.difficulty")}</th>
                  <th scope="col">{t("grading.discrimination")}</th>
                  <th scope="col">{t("grading.choices")}</th>
                </tr>
              </thead>
              <tbody>
                {stats.map((s) => (
                  <tr key={s.itemId}>
                    <th scope="row">
                      <span>{t("authoring.itemLabel", { n: order.get(s.itemId) ?? "?" })}</span>{" "}
                      <span class="muted small" dir="auto">{questionOf.get(s.itemId)}</span>
                    </th>
                    <td>{s.responses}</td>
                    <td>{percent(s.difficulty)}</td>
                    <td>{s.discrimination === null ? t("grading.tooFew") : s.discrimination.toFixed(2)}</td>
                    <td>
                      {s.choices === null ? "—" : (
                        <ul class="choice-counts">
                          {s.choices.map((c) => (
                            <li key={c.option} dir="auto">
                              {c.option}: {c.count}
                              {c.key && ` (${t("authoring.key")})`}
                            </li>
                          ))}
                          {(s.otherChoices ?? 0) > 0 && (
                            <li>{t("grading.otherChoices", { count: s.otherChoices! })}</li>
                          )}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Chart
              kind="bar"
              caption={t("grading.chartCaption")}
              summary={t("grading.chartSummary", {
                hardest: t("authoring.itemLabel", {
                  n: order.get(stats.reduce((a, b) => b.difficulty < a.difficulty ? b : a).itemId) ?? "?",
                }),
              })}
              labelHeading={t("grading.item")}
              labels={stats.map((s) => t("authoring.itemLabel", { n: order.get(s.itemId) ?? "?" }))}
              series={[{
                name: t("grading.correctPercent"),
                values: stats.map((s) => Math.round(s.difficulty * 100)),
              }]}
            />
          </>
        )}
      </section>
    </>
  );
}
