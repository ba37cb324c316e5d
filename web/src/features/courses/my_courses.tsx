/** The signed-in user's courses (as a student or as an instructor), each linking to its course page. */
import { useQuery } from "@tanstack/preact-query";
import { ErrorNotice, Loading, Page } from "../../components/ui.tsx";
import { api, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";

/** Query of the user's courses; other screens read a course's title from the same cache. */
export function useMyCourses() {
  return useQuery({
    queryKey: ["me", "courses"],
    queryFn: async () => unwrap(await api.GET("/api/v1/me/courses")).items,
  });
}

/** The "My courses" page. */
export function MyCoursesPage() {
  const { t } = useI18n();
  const courses = useMyCourses();
  return (
    <Page title={t("courses.title")}>
      {courses.isPending && <Loading />}
      <ErrorNotice error={courses.error} onRetry={() => courses.refetch()} />
      {courses.data?.length === 0 && <p>{t("courses.empty")}</p>}
      {courses.data && courses.data.length > 0 && (
        <ul class="cards">
          {courses.data.map((course) => (
            <li key={course.id} class="card">
              <a href={`/courses/${course.id}`} class="card-link">
                <span class="code" dir="ltr">{course.code}</span>
                <span class="card-title" dir="auto">{course.title}</span>
              </a>
              <span class="badge">{t(`courses.role.${course.courseRole}`)}</span>
              {course.description && <p class="muted" dir="auto">{course.description}</p>}
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
