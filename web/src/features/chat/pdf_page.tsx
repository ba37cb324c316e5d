/**
 * One page of a course PDF drawn by pdf.js, with the cited passage highlighted on the page's text layer. pdf.js and
 * its worker are loaded on first use only (they are most of the viewer's weight), from this origin.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";
import { markPassage, pageHolds } from "./passage.ts";

type PdfJs = typeof import("pdfjs-dist");
let pdfjs: Promise<PdfJs> | null = null;

function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= Promise.all([
    import("pdfjs-dist"),
    import("pdfjs-dist/build/pdf.worker.min.mjs?url"),
  ]).then(([lib, worker]) => {
    lib.GlobalWorkerOptions.workerSrc = (worker as { default: string }).default;
    return lib;
  });
  return pdfjs;
}

/** How many pages after the cited one are searched for the passage when the cited page does not hold it. */
const LOOK_AHEAD = 2;

/**
 * Draws the page of document `documentId` that holds `passage`: `page` when it does (or nothing else does), else
 * the first of the next pages that does (a citation of an older chunk names the chunk's first page). `onPage` gets
 * the page shown; `onUnavailable` is called when the file is not a PDF or cannot be read.
 */
export function PdfPage(
  props: {
    documentId: string;
    page: number;
    passage: string;
    onPage?(page: number): void;
    onUnavailable(): void;
  },
) {
  const { t } = useI18n();
  const canvas = useRef<HTMLCanvasElement>(null);
  const layer = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<"loading" | "shown">("loading");
  const [shownPage, setShownPage] = useState(props.page);

  useEffect(() => {
    let cancelled = false;
    let destroy: (() => void) | undefined;
    (async () => {
      const { data, response } = await api.GET("/api/v1/documents/{id}/file", {
        params: { path: { id: props.documentId } },
        parseAs: "arrayBuffer",
      });
      if (!response.ok || !data || !response.headers.get("content-type")?.includes("pdf")) {
        throw new Error("not a PDF");
      }
      const lib = await loadPdfJs();
      const task = lib.getDocument({ data: new Uint8Array(data as ArrayBuffer) });
      destroy = () => task.destroy();
      const doc = await task.promise;
      let page = await doc.getPage(Math.min(props.page, doc.numPages));
      const holds = async (p: typeof page) =>
        pageHolds(
          (await p.getTextContent()).items.map((i) => ("str" in i ? i.str : "")).join(" "),
          props.passage,
        );
      if (!(await holds(page))) {
        for (let n = page.pageNumber + 1; n <= Math.min(doc.numPages, props.page + LOOK_AHEAD); n++) {
          const next = await doc.getPage(n);
          if (await holds(next)) {
            page = next;
            break;
          }
        }
      }
      if (!cancelled) {
        setShownPage(page.pageNumber);
        props.onPage?.(page.pageNumber);
      }
      if (cancelled || !canvas.current || !layer.current) return;
      const available = (canvas.current.closest(".viewer-body")?.clientWidth ?? 832) - 32;
      const width = Math.max(280, Math.min(available, 900));
      const scale = width / page.getViewport({ scale: 1 }).width;
      const viewport = page.getViewport({ scale });
      const ratio = globalThis.devicePixelRatio || 1;
      canvas.current.width = Math.floor(viewport.width * ratio);
      canvas.current.height = Math.floor(viewport.height * ratio);
      canvas.current.style.width = `${viewport.width}px`;
      canvas.current.style.height = `${viewport.height}px`;
      await page.render({
        canvas: canvas.current,
        viewport,
        transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined,
      }).promise;
      layer.current.replaceChildren();
      layer.current.style.setProperty("--total-scale-factor", String(scale));
      const text = new lib.TextLayer({
        textContentSource: page.streamTextContent(),
        container: layer.current,
        viewport,
      });
      await text.render();
      if (cancelled) return;
      markPassage(text.textDivs as HTMLElement[], props.passage);
      setState("shown");
      layer.current.querySelector(".highlight")?.scrollIntoView({ block: "center" });
    })().catch(() => {
      if (!cancelled) props.onUnavailable();
    });
    return () => {
      cancelled = true;
      destroy?.();
    };
  }, [props.documentId, props.page, props.passage]);

  return (
    <figure class="pdf-page" aria-busy={state === "loading"}>
      {state === "loading" && <p class="muted" role="status">{t("viewer.loading")}</p>}
      <div class="pdf-stack">
        <canvas ref={canvas} role="img" aria-label={t("viewer.page", { page: shownPage })} />
        <div ref={layer} class="textLayer" />
      </div>
    </figure>
  );
}
