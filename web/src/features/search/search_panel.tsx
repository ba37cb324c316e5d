/** Search within one course's documents: passages ranked by the server's hybrid search, with their pages. */
import { useMutation } from "@tanstack/preact-query";
import { useId } from "preact/hooks";
import { ErrorNotice } from "../../components/ui.tsx";
import { api, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";

/** The search panel of `courseId`. */
export function SearchPanel(props: { courseId: string }) {
  const { t } = useI18n();
  const id = useId();
  const search = useMutation({
    mutationFn: async (query: string) =>
      unwrap(await api.POST("/api/v1/search", { body: { courseId: props.courseId, query, k: 10 } })).results,
  });
  return (
    <div class="search">
      <h2 class="visually-hidden">{t("search.title")}</h2>
      <form
        role="search"
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          const query = String(new FormData(e.currentTarget).get("q") ?? "").trim();
          if (query) search.mutate(query);
        }}
      >
        <label for={id}>{t("search.query")}</label>
        <input id={id} name="q" type="search" dir="auto" required maxLength={1000} />
        <button type="submit" class="primary" disabled={search.isPending}>{t("search.submit")}</button>
      </form>
      <ErrorNotice error={search.error} />
      {search.data?.length === 0 && <p>{t("search.none")}</p>}
      <ol class="results">
        {search.data?.map((r) => (
          <li key={r.chunkId}>
            <p class="result-title">
              <span dir="auto">{r.documentTitle}</span>
              {r.page ? <span class="muted small">· {t("search.page", { page: r.page })}</span> : null}
            </p>
            {r.heading && <p class="muted small" dir="auto">{r.heading}</p>}
            <p dir="auto">{r.snippet}</p>
          </li>
        ))}
      </ol>
    </div>
  );
}
