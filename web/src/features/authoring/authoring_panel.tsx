/** The "Exams" tab for a course's staff: every exam, drafts included, paged by the API's cursor, and "New exam". */
import { PagedTable } from "../../components/paged_table.tsx";
import { useI18n } from "../../lib/i18n.tsx";
import { useStaffExams } from "./api.ts";
import "./authoring.css";

/** The staff's exams panel of `courseId`. */
export function AuthoringPanel(props: { courseId: string }) {
  const { t, language } = useI18n();
  const exams = useStaffExams(props.courseId);
  const day = new Intl.DateTimeFormat(language, { dateStyle: "medium" });
  return (
    <section aria-labelledby="authoring-title">
      <div class="row">
        <h2 id="authoring-title">{t("authoring.title")}</h2>
        <a class="button primary" href={`/courses/${props.courseId}/authoring/new`}>{t("authoring.new")}</a>
      </div>
      <PagedTable
        query={exams}
        caption={t("authoring.title")}
        columns={[t("authoring.examTitle"), t("authoring.status"), t("authoring.created")]}
        empty={t("authoring.none")}
        row={(exam) => (
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
        )}
      />
    </section>
  );
}
