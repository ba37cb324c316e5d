/**
 * Roster import for one course (`/roster/:id`, its instructors and admins): paste or choose a CSV file
 * (`email,role` per row), send it as it is to the API, and read the report of every row: enrolled, invited (no
 * account yet: a link was mailed) or refused with the server's reason. The good rows are imported even when others
 * fail, so the report is the record of what happened.
 */
import { useQuery } from "@tanstack/preact-query";
import { useRoute } from "preact-iso";
import { useId, useState } from "preact/hooks";
import { ErrorNotice, Page } from "../../components/ui.tsx";
import { api, type Schemas, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";

type Report = Schemas["RosterReport"];

/** `/roster/:id`. */
export function RosterImportPage() {
  const { t } = useI18n();
  const { params } = useRoute();
  const id = params.id;
  const csvId = useId();
  const fileId = useId();
  const [csv, setCsv] = useState("");
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const course = useQuery({
    queryKey: ["course", id],
    queryFn: async () => unwrap(await api.GET("/api/v1/courses/{id}", { params: { path: { id } } })),
  });

  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    setReport(null);
    setBusy(true);
    try {
      setReport(unwrap(
        await api.POST("/api/v1/courses/{id}/enrollments/import", {
          params: { path: { id } },
          body: csv,
          // The roster goes as the CSV text it is, not as JSON.
          bodySerializer: (body: string) => body,
          headers: { "content-type": "text/csv" },
        }),
      ));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const title = course.data ? t("roster.courseTitle", { course: course.data.title }) : t("roster.title");
  return (
    <Page title={title} wide>
      {course.data && <p class="muted" dir="ltr">{course.data.code}</p>}
      <ErrorNotice error={course.error} onRetry={() => course.refetch()} />
      <form class="stack" onSubmit={submit}>
        <div class="field">
          <label for={fileId}>{t("roster.file")}</label>
          <input
            id={fileId}
            type="file"
            accept=".csv,text/csv"
            onChange={async (e) => {
              const file = e.currentTarget.files?.[0];
              if (file) setCsv(await file.text());
            }}
          />
        </div>
        <div class="field">
          <label for={csvId}>{t("roster.csv")}</label>
          <textarea
            id={csvId}
            rows={8}
            dir="ltr"
            class="code"
            aria-describedby={`${csvId}-hint`}
            value={csv}
            onInput={(e) => setCsv(e.currentTarget.value)}
          />
          <p id={`${csvId}-hint`} class="hint">{t("roster.hint")}</p>
        </div>
        <button type="submit" class="primary" disabled={busy || !csv.trim()}>{t("roster.import")}</button>
        <ErrorNotice error={error} />
      </form>
      {report && (
        <section aria-labelledby="roster-report" class="insight-section">
          <h2 id="roster-report">{t("roster.report")}</h2>
          <p role="status" class="notice">
            {t("roster.summary", {
              total: report.total,
              imported: report.imported - report.invited,
              invited: report.invited,
              failed: report.failed,
            })}
          </p>
          <table class="data">
            <caption class="visually-hidden">{t("roster.report")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("roster.line")}</th>
                <th scope="col">{t("auth.email")}</th>
                <th scope="col">{t("roster.role")}</th>
                <th scope="col">{t("roster.outcome")}</th>
              </tr>
            </thead>
            <tbody>
              {report.rows.map((row) => (
                <tr key={row.line} class={row.ok ? undefined : "failed"}>
                  <td>{row.line}</td>
                  <th scope="row" dir="ltr">{row.email}</th>
                  <td dir="ltr">{row.role}</td>
                  <td>
                    {row.ok
                      ? (row.invitationId ? t("roster.invited") : t("roster.enrolled"))
                      : t("roster.refused", { reason: row.error?.message ?? "" })}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </Page>
  );
}
