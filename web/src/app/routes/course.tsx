/** A course's page: its tutor chat, documents, search and exams as tabs (links, so each has its own address). */
import { lazy, useRoute } from "preact-iso";
import { ErrorNotice, Loading, Page } from "../../components/ui.tsx";
import { useSession } from "../../features/auth/mod.ts";
import { ChatPanel } from "../../features/chat/mod.ts";
import { useMyCourses } from "../../features/courses/mod.ts";
import { DocumentsPanel } from "../../features/documents/mod.ts";
import { SearchPanel } from "../../features/search/mod.ts";
import type { MessageKey } from "../../i18n/en.ts";
import { useI18n } from "../../lib/i18n.tsx";

// Exams load on demand, so the chat page's JavaScript does not carry them.
const ExamsPanel = lazy(() => import("../../features/exams/mod.ts").then((m) => m.ExamsPanel));
// The course's staff author and grade exams there instead (also on demand).
const AuthoringPanel = lazy(() => import("../../features/authoring/mod.ts").then((m) => m.AuthoringPanel));

const TABS = [
  { id: "tutor", label: "course.tutor" },
  { id: "documents", label: "course.documents" },
  { id: "search", label: "course.search" },
  { id: "exams", label: "course.exams" },
] as const satisfies readonly { id: string; label: MessageKey }[];

/** The course page route (`/courses/:id` and `/courses/:id/:tab`). */
export function CoursePage() {
  const { t } = useI18n();
  const { params } = useRoute();
  const { user } = useSession();
  const courses = useMyCourses();
  const course = courses.data?.find((c) => c.id === params.id);
  const tab = TABS.find((x) => x.id === params.tab)?.id ?? "tutor";
  if (courses.isPending) return <Loading />;
  if (!course) return <ErrorNotice error={courses.error ?? t("app.notFound")} />;
  const canManage = course.courseRole === "instructor" || user?.role === "ADMIN";
  return (
    <Page title={course.title} wide>
      <p class="muted" dir="ltr">{course.code}</p>
      <nav aria-label={t("course.tabs")} class="tabs">
        <ul>
          {TABS.map((x) => (
            <li key={x.id}>
              <a href={`/courses/${course.id}/${x.id}`} aria-current={x.id === tab ? "page" : undefined}>
                {t(x.label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {tab === "tutor" && <ChatPanel courseId={course.id} />}
      {tab === "documents" && <DocumentsPanel courseId={course.id} canManage={canManage} />}
      {tab === "search" && <SearchPanel courseId={course.id} />}
      {tab === "exams" &&
        (canManage ? <AuthoringPanel courseId={course.id} /> : <ExamsPanel courseId={course.id} />)}
    </Page>
  );
}
