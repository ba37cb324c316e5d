/**
 * One exam for its staff (`/courses/:id/authoring/:examId`): generation's live progress (the job is polled), then
 * every item next to its cited passage, the lifecycle actions, and — once published — grading.
 */
import { useRoute } from "preact-iso";
import { ErrorNotice, Loading, Page } from "../../components/ui.tsx";
import { useI18n } from "../../lib/i18n.tsx";
import { useCourseDocuments, useJob, useStaffExam } from "./api.ts";
import { Grading } from "./grading.tsx";
import { ItemsReview } from "./items.tsx";
import { Lifecycle } from "./lifecycle.tsx";
import { NewExamPage } from "./new_exam.tsx";
import "./authoring.css";

/** `/courses/:id/authoring/:examId` (`new` for the blueprint form). */
export function AuthoringPage() {
  const { params } = useRoute();
  return params.examId === "new"
    ? <NewExamPage />
    : <ExamAuthoring courseId={params.id} examId={params.examId} />;
}

function ExamAuthoring(props: { courseId: string; examId: string }) {
  const { t } = useI18n();
  const exam = useStaffExam(props.examId);
  const documents = useCourseDocuments(props.courseId);
  const generating = exam.data?.status === "generating";
  const job = useJob(exam.data?.generationJobId ?? null, generating);
  const back = (
    <p>
      <a href={`/courses/${props.courseId}/exams`}>{t("authoring.back")}</a>
    </p>
  );
  if (exam.isPending) return <Loading />;
  if (!exam.data) {
    return (
      <Page title={t("authoring.title")}>
        {back}
        <ErrorNotice error={exam.error} onRetry={() => exam.refetch()} />
      </Page>
    );
  }
  const data = exam.data;
  const titles = new Map((documents.data ?? []).map((d) => [d.id, d.title]));
  const progress = job.data?.progress ?? 0;
  return (
    <Page title={data.title} wide>
      {back}
      <p>
        <span class={`badge exam-status-${data.status}`}>{t(`authoring.status.${data.status}`)}</span>
      </p>
      {generating && (
        <div class="generation">
          <label for="generation-progress">{t("authoring.generating")}</label>
          <progress id="generation-progress" max={100} value={progress} />
          <p role="status">{t("authoring.progress", { percent: progress })}</p>
        </div>
      )}
      {data.status === "failed" && (
        <p class="notice error" role="alert">{t("authoring.failed", { note: data.note ?? "" })}</p>
      )}
      {data.status === "draft" && data.note && <p class="notice">{data.note}</p>}
      {(data.blueprint?.objectives ?? []).length > 0 && (
        <section aria-labelledby="objectives-title" class="objectives">
          <h2 id="objectives-title">{t("authoring.objectives")}</h2>
          <ul>
            {data.blueprint!.objectives!.map((o) => <li key={o} dir="auto">{o}</li>)}
          </ul>
        </section>
      )}
      {data.status !== "generating" && data.status !== "failed" && (
        <>
          <ItemsReview exam={data} documentTitles={titles} />
          <Lifecycle exam={data} />
        </>
      )}
      {(data.status === "published" || data.status === "closed" || data.status === "released") && (
        <Grading exam={data} />
      )}
    </Page>
  );
}
