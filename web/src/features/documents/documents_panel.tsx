/**
 * A course's documents. Everyone who reads the course sees the list; its managers also drop files to upload
 * (straight to the signed URL, with a real progress bar), watch ingestion live, re-index and delete.
 */
import { useQuery, useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { ErrorNotice, Loading } from "../../components/ui.tsx";
import type { MessageKey } from "../../i18n/en.ts";
import { api, type Schemas, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";
import { uploadDocument } from "./upload.ts";

type Document = Schemas["Document"];
const SETTLED = new Set<Document["status"]>(["ready", "failed", "pending", "awaiting_upload"]);

interface Upload {
  key: string;
  name: string;
  progress: number;
  error?: string;
}

/** The documents panel of `courseId`; `canManage` shows upload, re-index and delete. */
export function DocumentsPanel(props: { courseId: string; canManage: boolean }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const key = ["documents", props.courseId];
  const list = useQuery({
    queryKey: key,
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/courses/{id}/documents", { params: { path: { id: props.courseId } } }))
        .items,
    // Poll while any document is still being read, so progress moves on screen.
    refetchInterval: (q) => q.state.data?.some((d) => !SETTLED.has(d.status)) ? 1000 : false,
  });
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);

  async function send(files: FileList | File[]) {
    for (const file of Array.from(files)) {
      const entry: Upload = { key: `${file.name}-${Date.now()}`, name: file.name, progress: 0 };
      const patch = (p: Partial<Upload>) =>
        setUploads((all) => all.map((u) => u.key === entry.key ? { ...u, ...p } : u));
      setUploads((all) => [...all, entry]);
      try {
        await uploadDocument(props.courseId, file, (progress) => patch({ progress }));
        setUploads((all) => all.filter((u) => u.key !== entry.key));
      } catch (err) {
        patch({ error: err instanceof Error ? err.message : String(err) });
      }
      await queryClient.invalidateQueries({ queryKey: key });
    }
  }

  async function act(run: () => Promise<unknown>) {
    setActionError(null);
    try {
      await run();
    } catch (err) {
      setActionError(err);
    }
    await queryClient.invalidateQueries({ queryKey: key });
  }

  return (
    <div class="documents">
      {props.canManage && (
        <div
          class={dragging ? "dropzone dragging" : "dropzone"}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            if (e.dataTransfer?.files.length) send(e.dataTransfer.files);
          }}
        >
          <p>{t("docs.drop")}</p>
          <label class="button">
            {t("docs.choose")}
            <input
              type="file"
              class="visually-hidden"
              multiple
              accept=".pdf,.docx,.pptx,.txt,.md"
              onChange={(e) => {
                const input = e.currentTarget;
                if (input.files?.length) send(input.files).finally(() => input.value = "");
              }}
            />
          </label>
          <p class="hint">{t("docs.dropHelp")}</p>
        </div>
      )}
      {uploads.map((u) => (
        <div key={u.key} class="upload">
          <label>
            {t("docs.uploading", { name: u.name })}
            <progress max={1} value={u.progress}>{Math.round(u.progress * 100)}%</progress>
          </label>
          {u.error && (
            <p class="notice error" role="alert">
              {t("docs.uploadFailed", { name: u.name, reason: u.error })}
            </p>
          )}
        </div>
      ))}
      <ErrorNotice error={actionError} />
      {list.isPending && <Loading />}
      <ErrorNotice error={list.error} onRetry={() => list.refetch()} />
      {list.data?.length === 0 && <p>{t("docs.empty")}</p>}
      {list.data && list.data.length > 0 && (
        <table class="doc-table">
          <thead>
            <tr>
              <th scope="col">{t("docs.name")}</th>
              <th scope="col">{t("docs.status")}</th>
              {props.canManage && <th scope="col">{t("docs.actions")}</th>}
            </tr>
          </thead>
          <tbody>
            {list.data.map((doc) => (
              <tr key={doc.id}>
                <td>
                  <span dir="auto">{doc.title}</span>
                  <span class="muted small" dir="ltr">{doc.fileName}</span>
                </td>
                <td>
                  <DocumentStatus doc={doc} />
                </td>
                {props.canManage && (
                  <td class="row-actions">
                    <button
                      type="button"
                      class="quiet"
                      aria-label={t("docs.reindex", { name: doc.title })}
                      disabled={doc.status !== "ready" && doc.status !== "failed"}
                      onClick={() =>
                        act(async () =>
                          unwrap(
                            await api.POST("/api/v1/documents/{id}/reindex", {
                              params: { path: { id: doc.id } },
                            }),
                          )
                        )}
                    >
                      ↻
                    </button>
                    <button
                      type="button"
                      class="quiet danger"
                      aria-label={t("docs.delete", { name: doc.title })}
                      onClick={() =>
                        confirm(t("docs.confirmDelete", { name: doc.title })) &&
                        act(async () =>
                          unwrap(
                            await api.DELETE("/api/v1/documents/{id}", { params: { path: { id: doc.id } } }),
                          )
                        )}
                    >
                      ✕
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function DocumentStatus(props: { doc: Document }) {
  const { t } = useI18n();
  const { doc } = props;
  const progress = Math.round(doc.progress * 100);
  return (
    <div class={`status status-${doc.status}`}>
      <span>{t(`docs.status.${doc.status}` as MessageKey, { progress })}</span>
      {doc.status === "processing" || doc.status === "queued"
        ? (
          <progress
            max={100}
            value={progress}
            aria-label={t(`docs.status.${doc.status}` as MessageKey, { progress })}
          />
        )
        : null}
      {doc.status === "ready" && (
        <span class="muted small">
          {doc.pages ? t("docs.pages", { pages: doc.pages }) + " · " : ""}
          {t("docs.chunks", { chunks: doc.chunks })}
        </span>
      )}
      {doc.status === "failed" && doc.error && (
        <p class="error-text">{t("docs.failed", { reason: doc.error })}</p>
      )}
    </div>
  );
}
