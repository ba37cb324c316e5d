/**
 * The public API as a client drives it through nginx, for the end-to-end test: sign-in (an admin passing TOTP
 * enrolment), a course seeded with an enrolled student and an ingested document, and an SSE reader that hands events
 * over as they arrive. Only HTTP calls: the system runs in other processes on its own PGlite.
 */
import assert from "node:assert/strict";
import { totpCodeFor } from "../core/auth/totp.ts";
import type { NginxTestEnvironment } from "./testing.ts";

/** Calls `/api/v1<path>` through nginx's HTTPS server as JSON, with a bearer token when given one. */
export async function api(
  env: Pick<NginxTestEnvironment, "https">,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  return await env.https(`/api/v1${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
}

/** Answers the JSON body after checking the status (the body is in the failure message). */
export async function expectJson(res: Response, status: number): Promise<Record<string, unknown>> {
  const text = await res.text();
  assert.equal(res.status, status, `${res.url}: ${text}`);
  return JSON.parse(text);
}

/** An admin made by `admin:create` signs in, enrols TOTP and answers the access token of a session with 2FA. */
export async function adminToken(
  env: Pick<NginxTestEnvironment, "https">,
  admin: { email: string; password: string },
): Promise<string> {
  const login = await expectJson(await api(env, "POST", "/auth/login", { body: admin }), 200);
  const first = String(login.accessToken);
  const { secret } = await expectJson(await api(env, "POST", "/auth/2fa/enrol", { token: first }), 200);
  const verified = await expectJson(
    await api(env, "POST", "/auth/2fa/verify", { token: first, body: { code: totpCodeFor(String(secret)) } }),
    200,
  );
  return String(verified.accessToken);
}

/** What `seedCourse` made. */
export interface SeededCourse {
  courseId: string;
  documentId: string;
  studentToken: string;
}

/**
 * As the admin: a faculty, a semester and a course; a student who registered themselves, enrolled; the document
 * uploaded through the signed URL the system hands out (which must point at nginx) and ingested. Then the student
 * signs in.
 */
export async function seedCourse(
  env: Pick<NginxTestEnvironment, "https" | "httpsOrigin">,
  options: { adminToken: string; document: { fileName: string; text: string }; timeoutMs?: number },
): Promise<SeededCourse> {
  const token = options.adminToken;
  const code = crypto.randomUUID().slice(0, 8);
  const faculty = await expectJson(
    await api(env, "POST", "/faculties", { token, body: { name: "Science", code: `SCI-${code}` } }),
    201,
  );
  const semester = await expectJson(
    await api(env, "POST", "/semesters", {
      token,
      body: {
        facultyId: faculty.id,
        name: "Autumn",
        startsOn: "2026-09-01",
        endsOn: "2027-01-31",
        active: true,
      },
    }),
    201,
  );
  const course = await expectJson(
    await api(env, "POST", "/courses", {
      token,
      body: { semesterId: semester.id, code: `BIO-${code}`, title: "Cell biology" },
    }),
    201,
  );
  const courseId = String(course.id);

  const student = { email: `student-${code}@uni.test`, password: "correct horse battery staple" };
  await expectJson(await api(env, "POST", "/auth/register", { body: student }), 201);
  await expectJson(
    await api(env, "POST", `/courses/${courseId}/enrollments`, { token, body: { email: student.email } }),
    201,
  );

  const bytes = new TextEncoder().encode(options.document.text);
  const grant = await expectJson(
    await api(env, "POST", `/courses/${courseId}/documents`, {
      token,
      body: { fileName: options.document.fileName, type: "md", sizeBytes: bytes.length },
    }),
    201,
  );
  const uploadUrl = new URL(String(grant.uploadUrl));
  assert.equal(uploadUrl.origin, env.httpsOrigin, "the upload URL names the public entry (UPLOAD_BASE_URL)");
  await expectJson(
    await env.https(uploadUrl.pathname + uploadUrl.search, {
      method: "PUT",
      headers: grant.uploadHeaders as Record<string, string>,
      body: bytes,
    }),
    202,
  );
  const documentId = String(grant.documentId);
  await waitForIngestion(env, { token, documentId, timeoutMs: options.timeoutMs ?? 30_000 });

  const login = await expectJson(await api(env, "POST", "/auth/login", { body: student }), 200);
  return { courseId, documentId, studentToken: String(login.accessToken) };
}

async function waitForIngestion(
  env: Pick<NginxTestEnvironment, "https">,
  options: { token: string; documentId: string; timeoutMs: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last: Record<string, unknown> = {};
  while (Date.now() < deadline) {
    last = await expectJson(
      await api(env, "GET", `/documents/${options.documentId}`, { token: options.token }),
      200,
    );
    if (last.status === "ready") return;
    assert.notEqual(last.status, "failed", `ingestion failed: ${JSON.stringify(last.error)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the document was not ingested within ${options.timeoutMs} ms: ${JSON.stringify(last)}`);
}

/** One Server-Sent Event. */
export interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads Server-Sent Events from a response body as they arrive. */
export class SseReader {
  readonly events: SseEvent[] = [];
  #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";
  #ended = false;

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** True once the server closed the stream. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Reads until an event satisfies `wanted` (answered) or the stream ends (undefined); fails after `ms` without one,
   * cancelling the stream.
   */
  async until(wanted: (e: SseEvent) => boolean, ms: number): Promise<SseEvent | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.find(wanted);
      if (found || this.#ended) return found;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((r) =>
        timer = setTimeout(() => r("timeout"), deadline - Date.now())
      );
      const next = await Promise.race([this.#reader.read(), timeout]).finally(() => clearTimeout(timer));
      if (next === "timeout") {
        await this.#reader.cancel();
        throw new Error(`no such event within ${ms} ms; received: ${JSON.stringify(this.events)}`);
      }
      if (next.done) this.#ended = true;
      else this.#parse(next.value);
    }
  }

  /** Reads to the end of the stream (failing after `ms`) and answers every event. */
  async rest(ms: number): Promise<SseEvent[]> {
    await this.until(() => false, ms);
    return this.events;
  }

  #parse(text: string): void {
    this.#buffer += text;
    let end;
    while ((end = this.#buffer.indexOf("\n\n")) >= 0) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      // A block of comments only (core's `: accepted` and `: waiting` lines) dispatches nothing, as in EventSource.
      if (data.length === 0) continue;
      this.events.push({ event, data: JSON.parse(data.join("\n")) });
    }
  }
}
