/**
 * One course's insight for its faculty: questions per week (answered and not), what the tutor could not answer
 * from the material (similar questions grouped, largest first), the documents cited most and least, and usage
 * against the quota. Every list pages through the API's cursor ("Show more"), never loaded whole.
 */
import { useInfiniteQuery, useQuery } from "@tanstack/preact-query";
import { useRoute } from "preact-iso";
import { useState } from "preact/hooks";
import { itemsOf, PagedState, PagedTable, ShowMore } from "../../components/paged_table.tsx";
import { ErrorNotice, Loading, Page } from "../../components/ui.tsx";
import { api, type Schemas, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";
import { Chart } from "./chart.tsx";

type Insight = Schemas["CourseInsight"];

function useDay() {
  const { language } = useI18n();
  const format = new Intl.DateTimeFormat(language, { month: "short", day: "numeric", timeZone: "UTC" });
  return (iso: string) => format.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`));
}

/** `/insight/:id`. */
export function InsightPage() {
  const { t } = useI18n();
  const { params } = useRoute();
  const id = params.id;
  const course = useQuery({
    queryKey: ["course", id],
    queryFn: async () => unwrap(await api.GET("/api/v1/courses/{id}", { params: { path: { id } } })),
  });
  const report = useQuery({
    queryKey: ["insight", id, "report"],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/courses/{id}/insight", { params: { path: { id }, query: {} } })),
  });
  const title = course.data ? t("insight.courseTitle", { course: course.data.title }) : t("insight.title");
  return (
    <Page title={title} wide>
      {course.data && <p class="muted" dir="ltr">{course.data.code}</p>}
      <p>
        <a href="/insight">{t("insight.allCourses")}</a> ·{" "}
        <a href={`/tutor-policy/${id}`}>{t("tutorPolicy.link")}</a>
        {" · "}
        <a href={`/roster/${id}`}>{t("roster.title")}</a>
      </p>
      <ErrorNotice error={course.error ?? report.error} onRetry={() => report.refetch()} />
      {report.isPending && <Loading />}
      {report.data && <Activity report={report.data} />}
      <Gaps courseId={id} />
      <CitedDocuments courseId={id} />
      {report.data && <Usage report={report.data} />}
    </Page>
  );
}

function Activity(props: { report: Insight }) {
  const { t } = useI18n();
  const day = useDay();
  const weeks = props.report.weeks;
  const asked = weeks.reduce((n, w) => n + w.questions, 0);
  const unanswered = weeks.reduce((n, w) => n + w.unanswered, 0);
  return (
    <section aria-labelledby="insight-weekly" class="insight-section">
      <h2 id="insight-weekly">{t("insight.weekly")}</h2>
      <Chart
        kind="bar"
        stacked
        caption={t("insight.weeklyCaption", { weeks: weeks.length })}
        summary={t("insight.weeklySummary", { asked, unanswered, weeks: weeks.length })}
        labels={weeks.map((w) => day(w.weekStart))}
        series={[
          { name: t("insight.answered"), values: weeks.map((w) => Math.max(0, w.questions - w.unanswered)) },
          { name: t("insight.unanswered"), values: weeks.map((w) => w.unanswered) },
        ]}
      />
    </section>
  );
}

function Gaps(props: { courseId: string }) {
  const { t } = useI18n();
  const day = useDay();
  const gaps = useInfiniteQuery({
    queryKey: ["insight", props.courseId, "gaps"],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/api/v1/courses/{id}/insight/gaps", {
          params: { path: { id: props.courseId }, query: { limit: 10, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const items = itemsOf(gaps);
  return (
    <section aria-labelledby="insight-gaps" class="insight-section">
      <h2 id="insight-gaps">{t("insight.gaps")}</h2>
      <p class="muted">{t("insight.gapsHelp")}</p>
      <PagedState query={gaps} empty={t("insight.noGaps")} />
      <ol class="gaps">
        {items.map((gap) => (
          <li key={gap.examples[0]} class="card">
            <p class="gap-head">
              <strong>{t("insight.gapCount", { count: gap.count, askers: gap.askers })}</strong>
              <span class="muted">{t("insight.lastAsked", { day: day(gap.lastAskedAt) })}</span>
            </p>
            {gap.keywords.length > 0 && (
              <p class="chips" aria-label={t("insight.keywords")}>
                {gap.keywords.map((k) => <span key={k} class="chip" dir="auto">{k}</span>)}
              </p>
            )}
            <ul class="examples">
              {gap.examples.map((text) => <li key={text} dir="auto">{text}</li>)}
            </ul>
          </li>
        ))}
      </ol>
      <ShowMore query={gaps} />
    </section>
  );
}

function CitedDocuments(props: { courseId: string }) {
  const { t } = useI18n();
  const [sort, setSort] = useState<"-citations" | "citations">("-citations");
  const docs = useInfiniteQuery({
    queryKey: ["insight", props.courseId, "documents", sort],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/api/v1/courses/{id}/insight/documents", {
          params: { path: { id: props.courseId }, query: { sort, limit: 10, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const items = itemsOf(docs);
  return (
    <section aria-labelledby="insight-docs" class="insight-section">
      <h2 id="insight-docs">{t("insight.documents")}</h2>
      <fieldset class="row">
        <legend class="visually-hidden">{t("insight.order")}</legend>
        {(["-citations", "citations"] as const).map((value) => (
          <label key={value} class="radio">
            <input type="radio" name="doc-sort" checked={sort === value} onChange={() => setSort(value)} />
            {t(value === "-citations" ? "insight.mostCited" : "insight.leastCited")}
          </label>
        ))}
      </fieldset>
      <PagedTable
        query={docs}
        caption={t("insight.documents")}
        columns={[t("insight.document"), t("insight.citations")]}
        empty={t("insight.noDocuments")}
        row={(d) => (
          <tr key={d.id}>
            <th scope="row" dir="auto">{d.title}</th>
            <td>
              <meter
                min={0}
                max={Math.max(1, ...items.map((x) => x.citations))}
                value={d.citations}
                aria-hidden="true"
              />{" "}
              {d.citations}
            </td>
          </tr>
        )}
      />
    </section>
  );
}

function Usage(props: { report: Insight }) {
  const { t } = useI18n();
  const day = useDay();
  const { days, courseDailyLimit, studentDailyLimit, unit } = props.report.usage;
  const total = days.reduce((n, d) => n + d.questions, 0);
  const busiest = days.reduce((m, d) => Math.max(m, d.questions), 0);
  const peak = days.reduce((m, d) => Math.max(m, d.peakAsker), 0);
  const units = days.reduce((n, d) => n + d.unitsIn + d.unitsOut, 0);
  const series = [{ name: t("insight.questionsPerDay"), values: days.map((d) => d.questions) }];
  if (courseDailyLimit > 0) {
    series.push({ name: t("insight.courseLimit"), values: days.map(() => courseDailyLimit) });
  }
  return (
    <section aria-labelledby="insight-usage" class="insight-section">
      <h2 id="insight-usage">{t("insight.usage")}</h2>
      <Chart
        kind="line"
        caption={t("insight.usageCaption", { days: days.length })}
        summary={t("insight.usageSummary", { total, busiest, days: days.length })}
        labels={days.map((d) => day(d.day))}
        series={series}
      />
      <ul class="facts">
        <li>
          {courseDailyLimit > 0
            ? t("insight.courseQuota", { busiest, limit: courseDailyLimit })
            : t("insight.noCourseQuota")}
        </li>
        <li>
          {studentDailyLimit > 0
            ? t("insight.studentQuota", { peak, limit: studentDailyLimit })
            : t("insight.noStudentQuota")}
        </li>
        {unit && <li>{t(unit === "tokens" ? "insight.tokens" : "insight.characters", { units })}</li>}
      </ul>
    </section>
  );
}
