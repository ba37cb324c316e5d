import assert from "node:assert/strict";
import { createServiceApp } from "../../shared/http/service_app.ts";
import { memoryLogger } from "../../shared/logger.ts";
import { createMetrics } from "../../shared/metrics.ts";
import { LocalDocumentStorage } from "../../shared/documents/storage/local.ts";
import type { StoredObject } from "../../shared/documents/storage/interface.ts";
import { PDF_FIXTURES, readPdfFixture } from "../../shared/documents/testing/fixtures.ts";
import type { CoreVariables } from "../services.ts";
import { isUploadPath, registerUploadRoutes } from "./uploads.ts";
import { AppError, ErrorCode } from "../../shared/errors.ts";

const SECRET = "test-upload-signing-secret-0123456789abcdef";
const BASE = "http://core.test/v1/uploads";

interface Harness {
  root: string;
  storage: LocalDocumentStorage;
  uploaded: [string, StoredObject][];
  app: ReturnType<typeof createServiceApp<CoreVariables>>;
  clock: { now: number };
  [Symbol.asyncDispose](): Promise<void>;
}

/** A core-like app (1 KiB general body limit, uploads exempt) over local storage in a temp dir. */
async function harness(onUploaded?: (id: string) => Promise<{ jobId?: string } | void>): Promise<Harness> {
  const root = await Deno.makeTempDir({ prefix: "uploads_test_" });
  const clock = { now: Date.now() };
  const storage = new LocalDocumentStorage({
    root,
    uploadBaseUrl: BASE,
    signingSecret: SECRET,
    defaultTtlSeconds: 600,
    now: () => clock.now,
  });
  const app = createServiceApp<CoreVariables>({
    service: "core",
    logger: memoryLogger(),
    metrics: createMetrics("core"),
    trustRequestId: false,
    bodyLimitBytes: 1024,
    bodyLimitExempt: isUploadPath,
    readiness: {},
  });
  const uploaded: [string, StoredObject][] = [];
  registerUploadRoutes(app, {
    storage,
    onUploaded: async (id, stored) => {
      uploaded.push([id, stored]);
      return onUploaded ? await onUploaded(id) : { jobId: `job-${id}` };
    },
  });
  return {
    root,
    storage,
    uploaded,
    app,
    clock,
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

/** Every file left under the storage root, temp files included. */
async function filesUnder(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await filesUnder(root, path));
    else out.push(path.slice(root.length + 1));
  }
  return out.sort();
}

/** The signed URL's path and query, to send to the in-process app. */
function pathOf(url: string): string {
  const u = new URL(url);
  return u.pathname + u.search;
}

/** A body delivered in chunks without Content-Length, like a streaming client. */
function chunkedBody(bytes: Uint8Array, chunkSize = 64 * 1024): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", bytes.slice().buffer);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("[core] PUT /v1/uploads/:id stores a real PDF larger than the general body limit and answers 202", async () => {
  await using h = await harness();
  const pdf = await readPdfFixture(PDF_FIXTURES.english);
  const grant = await h.storage.createUploadUrl({ documentId: "doc-1", type: "pdf", maxBytes: pdf.length });
  assert.equal(grant.method, "PUT");
  assert.ok(grant.url.startsWith(`${BASE}/doc-1?`));
  assert.deepEqual(grant.headers, { "content-type": "application/pdf" });

  const res = await h.app.request(pathOf(grant.url), {
    method: "PUT",
    headers: grant.headers,
    body: chunkedBody(pdf),
  });
  assert.equal(res.status, 202);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = await res.json();
  assert.deepEqual(body, {
    documentId: "doc-1",
    sizeBytes: pdf.length,
    sha256: await sha256(pdf),
    type: "pdf",
    jobId: "job-doc-1",
  });
  assert.deepEqual(await filesUnder(h.root), ["documents/doc-1"]);
  assert.deepEqual(await h.storage.getObject("documents/doc-1"), pdf);
  assert.equal(h.uploaded[0][1].sha256, body.sha256);
});

Deno.test("[core] PUT /v1/uploads/:id refuses an expired URL with 401 and stores nothing", async () => {
  await using h = await harness();
  const grant = await h.storage.createUploadUrl({
    documentId: "doc-2",
    type: "txt",
    maxBytes: 100,
    ttlSeconds: 60,
  });
  h.clock.now += 61_000;
  const res = await h.app.request(pathOf(grant.url), { method: "PUT", body: "hello" });
  assert.equal(res.status, 401);
  const body = await res.json();
  assert.equal(body.error.code, "UNAUTHORIZED");
  assert.match(body.error.message, /^This upload URL expired at .*; request a new one$/);
  assert.deepEqual(await filesUnder(h.root), []);
  assert.equal(h.uploaded.length, 0);
});

Deno.test("[core] PUT /v1/uploads/:id refuses tampered URLs (size, expiry, type, document, signature) with 403", async () => {
  await using h = await harness();
  const grant = await h.storage.createUploadUrl({ documentId: "doc-3", type: "txt", maxBytes: 10 });
  const url = new URL(grant.url);
  const tamper = (f: (u: URL) => void) => {
    const copy = new URL(url);
    f(copy);
    return pathOf(copy.toString());
  };
  const attempts = [
    tamper((u) => u.searchParams.set("max", "10000000")),
    tamper((u) => u.searchParams.set("exp", String(Number(u.searchParams.get("exp")) + 3600))),
    tamper((u) => u.searchParams.set("type", "md")),
    tamper((u) => u.searchParams.set("type", "exe")),
    tamper((u) => (u.pathname = "/v1/uploads/doc-other")),
    tamper((u) => u.searchParams.set("sig", "A" + u.searchParams.get("sig")!.slice(1))),
  ];
  for (const path of attempts) {
    const res = await h.app.request(path, { method: "PUT", body: "hello" });
    assert.equal(res.status, 403, path);
    const body = await res.json();
    assert.equal(body.error.code, "FORBIDDEN");
    assert.match(body.error.message, /signature does not match/);
  }
  const unsigned = await h.app.request("/v1/uploads/doc-3", { method: "PUT", body: "hello" });
  assert.equal(unsigned.status, 401);
  assert.match((await unsigned.json()).error.message, /not signed/);
  assert.deepEqual(await filesUnder(h.root), []);
});

Deno.test("[core] PUT /v1/uploads/:id stops reading an oversized streamed body with 413 and leaves no partial file", async () => {
  await using h = await harness();
  const grant = await h.storage.createUploadUrl({ documentId: "doc-4", type: "txt", maxBytes: 100_000 });
  let pulled = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      controller.enqueue(new TextEncoder().encode("x".repeat(16 * 1024)));
    },
  });
  const res = await h.app.request(pathOf(grant.url), { method: "PUT", body: endless });
  assert.equal(res.status, 413);
  const body = await res.json();
  assert.equal(body.error.code, "PAYLOAD_TOO_LARGE");
  assert.equal(body.error.message, "The upload is larger than the 100000 bytes this URL allows");
  assert.ok(pulled < 12, `read ${pulled} chunks of an endless body`);
  assert.deepEqual(await filesUnder(h.root), []);
});

Deno.test("[core] PUT /v1/uploads/:id refuses a declared Content-Length over the limit before reading", async () => {
  await using h = await harness();
  const grant = await h.storage.createUploadUrl({ documentId: "doc-5", type: "txt", maxBytes: 4 });
  const res = await h.app.request(pathOf(grant.url), {
    method: "PUT",
    headers: { "content-length": "5" },
    body: "hello",
  });
  assert.equal(res.status, 413);
  assert.deepEqual(await filesUnder(h.root), []);
});

Deno.test("[core] PUT /v1/uploads/:id refuses content whose magic bytes are not the signed type with 415", async () => {
  await using h = await harness();
  const pdf = await readPdfFixture(PDF_FIXTURES.arabic);
  const grant = await h.storage.createUploadUrl({ documentId: "doc-6", type: "docx", maxBytes: pdf.length });
  const res = await h.app.request(pathOf(grant.url), { method: "PUT", headers: grant.headers, body: pdf });
  assert.equal(res.status, 415);
  const body = await res.json();
  assert.equal(body.error.code, "UNSUPPORTED_MEDIA_TYPE");
  assert.equal(body.error.message, 'The file was declared as "docx" but its content is a PDF');
  assert.deepEqual(body.error.details, { reason: "type_mismatch" });
  assert.deepEqual(await filesUnder(h.root), []);

  const text = await h.storage.createUploadUrl({ documentId: "doc-6b", type: "txt", maxBytes: 10 });
  const binary = await h.app.request(pathOf(text.url), { method: "PUT", body: new Uint8Array([1, 0, 2, 0]) });
  assert.equal(binary.status, 415);
  assert.match((await binary.json()).error.message, /not a PDF, DOCX, PPTX or UTF-8 text file/);
});

Deno.test("[core] PUT /v1/uploads/:id refuses a Content-Type header that contradicts the signed type", async () => {
  await using h = await harness();
  const grant = await h.storage.createUploadUrl({ documentId: "doc-7", type: "md", maxBytes: 10 });
  const res = await h.app.request(pathOf(grant.url), {
    method: "PUT",
    headers: { "content-type": "application/pdf" },
    body: "# hi",
  });
  assert.equal(res.status, 415);
  const ok = await h.app.request(pathOf(grant.url), {
    method: "PUT",
    headers: { "content-type": "text/markdown; charset=utf-8" },
    body: "# hi",
  });
  assert.equal(ok.status, 202);
});

Deno.test("[core] PUT /v1/uploads/:id refuses a second upload to the same document with 409", async () => {
  await using h = await harness();
  const grant = await h.storage.createUploadUrl({ documentId: "doc-8", type: "txt", maxBytes: 10 });
  assert.equal((await h.app.request(pathOf(grant.url), { method: "PUT", body: "first" })).status, 202);
  const again = await h.app.request(pathOf(grant.url), { method: "PUT", body: "second" });
  assert.equal(again.status, 409);
  assert.equal(new TextDecoder().decode(await h.storage.getObject("documents/doc-8")), "first");
  assert.deepEqual(await filesUnder(h.root), ["documents/doc-8"]);
});

Deno.test("[core] PUT /v1/uploads/:id removes the stored file when onUploaded refuses it, so a retry works", async () => {
  let refuse = true;
  await using h = await harness(() => {
    if (refuse) throw new AppError(ErrorCode.CONFLICT, "The same file is already in this course");
    return Promise.resolve({ jobId: "job-9" });
  });
  const grant = await h.storage.createUploadUrl({ documentId: "doc-9", type: "txt", maxBytes: 10 });
  const res = await h.app.request(pathOf(grant.url), { method: "PUT", body: "dup" });
  assert.equal(res.status, 409);
  assert.equal((await res.json()).error.message, "The same file is already in this course");
  assert.deepEqual(await filesUnder(h.root), []);
  refuse = false;
  const retry = await h.app.request(pathOf(grant.url), { method: "PUT", body: "dup" });
  assert.equal(retry.status, 202);
  assert.equal((await retry.json()).jobId, "job-9");
});

Deno.test("[core] the general body limit still applies to other routes of an app with uploads exempt", async () => {
  await using h = await harness();
  h.app.post("/v1/echo", async (c) => c.text(await c.req.text()));
  const res = await h.app.request("/v1/echo", { method: "POST", body: "x".repeat(2048) });
  assert.equal(res.status, 413);
});
