/** The "Exams" tab for a course's staff: every exam, drafts included, paged by the API's cursor, and "New exam". */
import { ErrorNotice, Loading } from "../../components/ui.tsx";
import { useI18n } from "../../lib/i18n.tsx";
import { useStaffExams } from "./api.ts";
import "./authoring.css";

/** The staff's exams panel of `courseId`. */
export function AuthoringPanel(props: { courseId: string }) {
  const { t, language } = useI18n();
  const exams = useStaffExams(props.courseId);
  const day = new Intl.DateTimeFormat(language, { dateStyle: "medium" });
  const rows = exams.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="authoring-title">
      <div class="row">
        <h2 id="authoring-title">{t("authoring.title")}</h2>
        <a class="button primary" href={`/courses/${props.courseId}/authoring/new`}>{t("authoring.new")}</a>
      </div>
      {exams.isPending && <Loading />}
      <ErrorNotice error={exams.error} onRetry={() => exams.refetch()} />
      {exams.data && rows.length === 0 && <p>{t("authoring.none")}</p>}
      {rows.length > 0 && (
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t("authoring.examTitle")}</th>
              <th scope="col">{t("authoring.status")}</th>
              <th scope="col">{t("authoring.created")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((exam) => (
              <tr key={exam.id}>
                <th scope="row">
                  <a href={`/courses/${props.courseId}/authoring/${exam.id}`} dir="auto">{exam.title}</a>
                </th>
                <td>
                  <span class={`badge exam-status-${exam.status}`}>
                    {t(`authoring.status.${exam.status}`)}
                  </span>
                </td>
                <td>{day.format(new Date(exam.createdAt))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {exams.hasNextPage && (
        <button
          type="button"
          onClick={() => exams.fetchNextPage()}
          disabled={exams.isFetchingNextPage}
        >
          {t("authoring.more")}
        </button>
      )}
    </section>
  );
}
