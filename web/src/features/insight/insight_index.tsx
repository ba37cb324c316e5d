/**
 * The insight landing page: the courses the caller may look into (an academic's faculty and taught courses, every
 * course for admins), searched by code or title and paged through the API's cursor.
 */
import { useInfiniteQuery } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { itemsOf, PagedState, ShowMore } from "../../components/paged_table.tsx";
import { Field, Page } from "../../components/ui.tsx";
import { api, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";

/** `/insight`: pick a course. */
export function InsightIndexPage() {
  const { t } = useI18n();
  const [typed, setTyped] = useState("");
  const [q, setQ] = useState("");
  const list = useInfiniteQuery({
    queryKey: ["insight", "courses", q],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/api/v1/courses", {
          params: { query: { q: q || undefined, cursor: pageParam, limit: 20, sort: "code" } },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const courses = itemsOf(list);
  return (
    <Page title={t("insight.title")}>
      <p>{t("insight.intro")}</p>
      <form
        role="search"
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(typed.trim());
        }}
      >
        <Field
          label={t("insight.searchCourses")}
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
        <button type="submit">{t("search.submit")}</button>
      </form>
      <PagedState query={list} empty={t("insight.noCourses")} />
      <ul class="cards">
        {courses.map((course) => (
          <li key={course.id} class="card">
            <a href={`/insight/${course.id}`} class="card-link">
              <span class="code" dir="ltr">{course.code}</span>
              <span class="card-title" dir="auto">{course.title}</span>
            </a>
          </li>
        ))}
      </ul>
      <ShowMore query={list} />
    </Page>
  );
}
