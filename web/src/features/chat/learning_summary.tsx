/** The learning summary of a conversation: topics covered, questions the material left open, pages to review. */
import { useQuery } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { ErrorNotice, Loading } from "../../components/ui.tsx";
import { api, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";
import type { Citation } from "./api.ts";

interface LearningSummary {
  topics: { label: string; citations: Citation[] }[];
  openQuestions: string[];
  sectionsToReview: { documentTitle: string; page: number | null; citations: Citation[] }[];
}

/** A disclosure that loads the summary of `sessionId` when opened; `onOpenCitation` opens a page to review. */
export function LearningSummaryView(props: { sessionId: string; onOpenCitation(c: Citation): void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const summary = useQuery({
    queryKey: ["chat", "summary", props.sessionId],
    enabled: open,
    queryFn: async () => {
      const body = unwrap(
        await api.GET("/api/v1/chat/sessions/{id}/summary", { params: { path: { id: props.sessionId } } }),
      );
      // The document types the summary loosely (an open object with `cached`); its fields are core's
      // LearningSummary.
      return body as unknown as LearningSummary;
    },
  });
  const data = summary.data;
  return (
    <details class="summary" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t("summary.title")}</summary>
      {summary.isFetching && !data && <Loading />}
      <ErrorNotice error={summary.error} />
      {data && (
        <div class="summary-body">
          <h3>{t("summary.topics")}</h3>
          {data.topics.length === 0
            ? <p class="muted">{t("summary.none")}</p>
            : <ul>{data.topics.map((topic) => <li key={topic.label} dir="auto">{topic.label}</li>)}</ul>}
          <h3>{t("summary.open")}</h3>
          {data.openQuestions.length === 0
            ? <p class="muted">{t("summary.none")}</p>
            : <ul>{data.openQuestions.map((q) => <li key={q} dir="auto">{q}</li>)}</ul>}
          <h3>{t("summary.review")}</h3>
          {data.sectionsToReview.length === 0 ? <p class="muted">{t("summary.none")}</p> : (
            <ul class="chips">
              {data.sectionsToReview.map((s) => (
                <li key={`${s.documentTitle}-${s.page}`}>
                  <button
                    type="button"
                    class="chip"
                    disabled={s.citations.length === 0}
                    onClick={() => s.citations[0] && props.onOpenCitation(s.citations[0])}
                  >
                    <span dir="auto">{s.documentTitle}</span>
                    {s.page ? ` · ${t("viewer.page", { page: s.page })}` : ""}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </details>
  );
}
