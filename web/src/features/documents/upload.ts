/**
 * A file's trip to the course: ask for a signed upload URL, PUT the bytes straight to it with XMLHttpRequest
 * (fetch cannot report upload progress), and the server queues ingestion.
 */
import { api, ApiError, unwrap } from "../../lib/api.ts";

const TYPES: Record<string, string> = {
  pdf: "pdf",
  docx: "docx",
  pptx: "pptx",
  txt: "txt",
  md: "md",
  markdown: "md",
};

/** The document type of a file name, or undefined when the course cannot take it. */
export function documentTypeOf(fileName: string): string | undefined {
  return TYPES[fileName.slice(fileName.lastIndexOf(".") + 1).toLowerCase()];
}

/** Uploads `file` to course `courseId`, reporting progress 0..1; resolves with the new document's id. */
export async function uploadDocument(
  courseId: string,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<string> {
  const type = documentTypeOf(file.name);
  if (!type) throw new Error(`"${file.name}" is not a PDF, Word, PowerPoint, text or Markdown file`);
  const grant = unwrap(
    await api.POST("/api/v1/courses/{id}/documents", {
      params: { path: { id: courseId } },
      body: { fileName: file.name, type, sizeBytes: file.size, title: file.name.replace(/\.[^.]+$/, "") },
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", grant.uploadUrl);
    for (const [name, value] of Object.entries(grant.uploadHeaders)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      let body = { code: `HTTP_${xhr.status}`, message: xhr.statusText };
      try {
        body = JSON.parse(xhr.responseText).error ?? body;
      } catch { /* a bucket's XML error: keep the status text */ }
      reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new Error("The connection was lost during the upload"));
    xhr.send(file);
  });
  onProgress(1);
  // A bucket upload (S3) is confirmed by the client; the local signed upload confirms itself (then this is a no-op).
  unwrap(await api.POST("/api/v1/documents/{id}/complete", { params: { path: { id: grant.documentId } } }));
  return grant.documentId;
}
