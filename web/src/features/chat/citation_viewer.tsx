/**
 * The source of a citation in a modal dialog: the document at the cited page with the passage highlighted. PDFs
 * are drawn by pdf.js (loaded only when a source is opened); other documents show the cited passage's text.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { useI18n } from "../../lib/i18n.tsx";
import type { Citation } from "./api.ts";
import { PdfPage } from "./pdf_page.tsx";

/** Shows `citation` (null: closed); `onClose` when the user closes it (Escape, the button, the backdrop). */
export function CitationViewer(props: { citation: Citation | null; onClose(): void }) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const [pdfFailed, setPdfFailed] = useState(false);
  const [shownPage, setShownPage] = useState<number | null>(null);
  const citation = props.citation;
  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (citation && !el.open) el.showModal();
    if (!citation && el.open) el.close();
    setPdfFailed(false);
    setShownPage(null);
  }, [citation]);

  return (
    <dialog
      ref={dialog}
      class="viewer"
      aria-labelledby="viewer-title"
      onClose={props.onClose}
      onClick={(e) => {
        if (e.target === dialog.current) props.onClose();
      }}
    >
      {citation && (
        <div class="viewer-body">
          <header class="viewer-head">
            <h2 id="viewer-title" dir="auto">{t("viewer.title", { title: citation.documentTitle })}</h2>
            {citation.page && <p class="muted">{t("viewer.page", { page: shownPage ?? citation.page })}</p>}
            <button type="button" class="quiet" onClick={props.onClose} autoFocus>{t("viewer.close")}</button>
          </header>
          {citation.page && !pdfFailed && (
            <PdfPage
              documentId={citation.documentId}
              page={citation.page}
              passage={citation.snippet}
              onPage={setShownPage}
              onUnavailable={() => setPdfFailed(true)}
            />
          )}
          {(!citation.page || pdfFailed) && <p class="muted">{t("viewer.unavailable")}</p>}
          <section aria-label={t("viewer.passage")} class="passage">
            <p dir="auto">
              <mark>{citation.snippet}</mark>
            </p>
          </section>
        </div>
      )}
    </dialog>
  );
}
