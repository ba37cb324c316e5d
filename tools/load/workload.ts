/**
 * The mixed workload of `deno task load`, against a running stack: students chatting (streamed answers, read with
 * the project's typed client) and searching, students and academics reading lists, academics uploading a real PDF
 * and waiting for its ingestion, academics generating and publishing exams, students taking them (start, answer,
 * submit, wait for the workers to grade), admins browsing lists. Plain requests are driven by autocannon closed loop,
 * or at a fixed rate by the evenly paced generator (tools/load/paced.ts), in processes of their own, each request
 * signed in as one of the workload's users in turn.
 */
import { createApiClient } from "../../shared/api/client.ts";
import { type AutocannonResult, runAutocannon } from "./autocannon.ts";
import { type PacedClass, type PacedRequest, runPacedProcess } from "./paced.ts";
import { percentile } from "./stats.ts";
import { ATTEMPTS_PER_EXAM, authorExam, type ExamPool, sitExam } from "./exams.ts";
import type { LoadUser, Stack } from "./stack.ts";

/** Latencies (ms) and outcomes of one route class. */
export interface ClassResult {
  name: string;
  latenciesMs: number[];
  /** Requests that completed as expected. */
  ok: number;
  /** Requests that did not, by status (`0` for a dropped connection or an unfinished stream). */
  errors: Record<string, number>;
  /** Requests per second over the phase, when measured by autocannon (its own percentiles then). */
  autocannon?: {
    rps: number;
    p50: number;
    p97_5: number;
    p99: number;
    total: number;
  };
  /** When driven at a fixed rate by the paced generator (`--rate`): what it was asked and how it kept time. */
  paced?: {
    rate: number;
    sent: number;
    /** p99 of how late the generator sent (ms): its own lag, already counted in the latencies. */
    sendLagP99Ms: number;
    /** The slowest answers (ms, request id), for the tiers' access logs. */
    slowest: [number, string][];
  };
  /** Extra figure shown beside the class (time to first token, ingestion time). */
  note?: string;
}

/** What the workload is sized by. */
export interface WorkloadOptions {
  /** Concurrent streamed chats. */
  chats: number;
  /** Seconds the load phase lasts. */
  durationSeconds: number;
  /** autocannon connections per plain-request class. */
  connections: number;
  /**
   * Requests per second over all the plain (autocannon) classes together, shared out evenly between them
   * (`plainRates`); unset or 0: each class runs closed loop, as fast as the answers come.
   */
  rate?: number;
  /** Academics uploading at once (each uploads, waits for ingestion, then uploads again). */
  uploaders: number;
  pdfPath: string;
  /** Students taking exams at once (each sits the newest published exam, again and again). */
  examTakers?: number;
  /** Academics generating and publishing exams during the phase (each one after the other). */
  examAuthors?: number;
  /** Published exams, shared across phases (the first is published before the load phase). */
  exams?: ExamPool;
}

/** A closed-loop class from autocannon's result: every answer that was not 2xx counts, each one. */
export function autocannonClass(name: string, run: AutocannonResult): ClassResult {
  const result = emptyClass(name);
  result.autocannon = {
    rps: run.requests.average,
    p50: run.latency.p50,
    p97_5: run.latency.p97_5,
    p99: run.latency.p99,
    total: run.requests.total,
  };
  result.ok = run["2xx"];
  // Counted one by one: this once recorded a single "non-2xx" for a run whose edge logs held 1,213 answers 503.
  if (run.non2xx > 0) result.errors["non-2xx"] = run.non2xx;
  if (run.errors > 0) result.errors["connection errors"] = run.errors;
  if (run.timeouts > 0) result.errors.timeouts = run.timeouts;
  return result;
}

function emptyClass(name: string): ClassResult {
  return { name, latenciesMs: [], ok: 0, errors: {} };
}

function fail(c: ClassResult, status: number | string) {
  c.errors[String(status)] = (c.errors[String(status)] ?? 0) + 1;
}

/** A failed turn's pause before the next, as a client would: `Retry-After` when given (at most 2 s), else 250 ms. */
function backOff(response?: Response): Promise<void> {
  const retryAfter = Number(response?.headers.get("retry-after"));
  const ms = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(2000, retryAfter * 1000) : 250;
  return new Promise((r) => setTimeout(r, ms));
}

/** Reads an SSE chat answer; resolves whether it ended with `done` and when the first token came. */
async function readTurn(res: Response, started: number): Promise<{ done: boolean; firstTokenMs?: number }> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let firstTokenMs: number | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    if (firstTokenMs === undefined && text.includes("event: token")) {
      firstTokenMs = performance.now() - started;
    }
  }
  return { done: /(^|\n)event: done\n/.test(text) && !/(^|\n)event: error\n/.test(text), firstTokenMs };
}

/** One academic upload: grant, PUT through the edge, complete; then the ingestion job until it ends. */
export async function uploadAndIngest(
  edgeUrl: string,
  user: LoadUser,
  courseId: string,
  pdf: Uint8Array<ArrayBuffer>,
  timeoutMs = 300_000,
  record?: { upload: ClassResult; ingestion: ClassResult },
): Promise<{ jobId: string; status: string; documentId: string }> {
  const api = createApiClient(edgeUrl, { headers: { authorization: user.authorization } });
  // A course refuses a second copy of the same file: each upload is the PDF with a comment line of its own after
  // the end marker (readers ignore it), so every upload is a new file that goes through the whole ingestion.
  const marker = new TextEncoder().encode(`\n% load ${crypto.randomUUID()}\n`);
  const file = new Uint8Array(pdf.byteLength + marker.byteLength);
  file.set(pdf);
  file.set(marker, pdf.byteLength);
  const timed = async <T>(
    fn: () => Promise<{ response: Response } & T>,
  ): Promise<{ response: Response } & T> => {
    const started = performance.now();
    const out = await fn();
    record?.upload.latenciesMs.push(performance.now() - started);
    if (!out.response.ok) {
      if (record) fail(record.upload, out.response.status);
      throw new Error(`upload step answered ${out.response.status}`);
    }
    record && record.upload.ok++;
    return out;
  };
  const grant = await timed(() =>
    api.POST("/api/v1/courses/{id}/documents", {
      params: { path: { id: courseId } },
      body: {
        fileName: "simultaneous-equations.pdf",
        type: "pdf",
        sizeBytes: file.byteLength,
        title: "Simultaneous equations",
      },
    })
  );
  const { documentId, uploadUrl, uploadHeaders } = grant.data!;
  await timed(async () => {
    const response = await fetch(uploadUrl, { method: "PUT", headers: uploadHeaders, body: file });
    await response.body?.cancel();
    return { response };
  });
  const completed = await timed(() =>
    api.POST("/api/v1/documents/{id}/complete", { params: { path: { id: documentId } } })
  );
  const { jobId } = completed.data! as { jobId: string };
  const started = performance.now();
  const deadline = Date.now() + timeoutMs;
  let status = "queued";
  while (Date.now() < deadline) {
    const { data, response } = await api.GET("/api/v1/jobs/{id}", { params: { path: { id: jobId } } });
    if (response.ok && data) status = (data as { status: string }).status;
    if (status === "succeeded" || status === "dead") break;
    await new Promise((r) => setTimeout(r, 500));
  }
  if (record) {
    record.ingestion.latenciesMs.push(performance.now() - started);
    if (status === "succeeded") record.ingestion.ok++;
    else fail(record.ingestion, status);
  }
  return { jobId, status, documentId };
}

/** The plain (autocannon) classes, in the order `runWorkload` reports them. */
export const PLAIN_CLASSES = 3;

/**
 * Shares a total rate (requests per second) out between `classes` plain classes: whole numbers, at least 1 each,
 * summing to `total` when it is at least `classes`. 0 or unset: no rate (closed loop) for every class.
 */
export function plainRates(total: number | undefined, classes = PLAIN_CLASSES): (number | undefined)[] {
  if (!total) return Array.from({ length: classes }, () => undefined);
  return Array.from(
    { length: classes },
    (_, i) => Math.max(1, Math.floor(total / classes) + (i < total % classes ? 1 : 0)),
  );
}

/** Runs the mixed workload for its duration and returns the results per route class. */
export async function runWorkload(stack: Stack, options: WorkloadOptions): Promise<ClassResult[]> {
  const edges = stack.edgeUrls;
  const chat = emptyClass("chat turn, streamed (SSE, until `done`)");
  const ttft = emptyClass("chat, time to first token");
  const sessions = emptyClass("chat session create");
  const upload = emptyClass("upload steps (grant, PUT, complete)");
  const ingestion = emptyClass("ingestion of the PDF (job queued to succeeded)");
  const examGeneration = emptyClass("exam generation (create to draft, through the workers) and publish");
  const examSteps = emptyClass("exam steps (start, answer, submit)");
  const grading = emptyClass("exam grading (submitted to graded, through the workers)");
  const pdf = await Deno.readFile(options.pdfPath);
  const until = Date.now() + options.durationSeconds * 1000;
  const questions = [
    "How do I solve two simultaneous equations by substitution?",
    "What does elimination mean for a system of equations?",
    "Explain how to check a solution of simultaneous equations.",
  ];

  const chatLoop = async (i: number) => {
    const user = options.chats > 0 ? stack.students[i % stack.students.length] : undefined;
    if (!user) return;
    const api = createApiClient(edges[i % edges.length], { headers: { authorization: user.authorization } });
    let started = performance.now();
    let id: string;
    try {
      // A session create that never gets an answer (a connection cut) is a failure of its class, not of the run.
      const created = await api.POST("/api/v1/chat/sessions", { body: { courseId: stack.courseId } });
      sessions.latenciesMs.push(performance.now() - started);
      if (created.response.status !== 201) return fail(sessions, created.response.status);
      id = created.data!.id;
    } catch (err) {
      return fail(sessions, `0 ${err instanceof Error ? `${err.name}: ${err.message}` : "error"}`);
    }
    sessions.ok++;
    let n = 0;
    while (Date.now() < until) {
      started = performance.now();
      try {
        const { response } = await api.POST("/api/v1/chat/sessions/{id}/messages", {
          params: { path: { id } },
          headers: { accept: "text/event-stream" },
          body: { content: questions[n++ % questions.length] },
          parseAs: "stream",
        });
        if (response.status !== 200) {
          // The typed client has read an error's body already; anything else is let go.
          if (!response.bodyUsed && !response.body?.locked) await response.body?.cancel();
          fail(chat, response.status);
          await backOff(response);
          continue;
        }
        const turn = await readTurn(response, started);
        chat.latenciesMs.push(performance.now() - started);
        if (turn.firstTokenMs !== undefined) {
          ttft.latenciesMs.push(turn.firstTokenMs);
          ttft.ok++;
        }
        if (turn.done) chat.ok++;
        else fail(chat, "unfinished stream");
      } catch (err) {
        fail(chat, `0 ${err instanceof Error ? `${err.name}: ${err.message}` : "error"}`);
        await backOff();
      }
    }
  };

  const uploadLoop = async (i: number) => {
    const user = stack.academics[i % stack.academics.length];
    while (Date.now() < until) {
      try {
        await uploadAndIngest(edges[i % edges.length], user, stack.courseId, pdf, 300_000, {
          upload,
          ingestion,
        });
      } catch {
        // Counted in the upload class.
      }
    }
  };

  const exams: ExamPool = options.exams ?? { published: [], used: new Map() };
  const authorLoop = async (i: number) => {
    // The last academics author exams, so they are not the ones uploading first.
    const user = stack.academics[stack.academics.length - 1 - (i % stack.academics.length)];
    while (Date.now() < until) {
      try {
        const out = await authorExam(edges[i % edges.length], user, stack.courseId);
        examGeneration.latenciesMs.push(out.generationMs);
        if (out.outcome === "published") {
          examGeneration.ok++;
          exams.published.push(out.examId);
        } else {
          fail(examGeneration, out.outcome);
          await backOff();
        }
      } catch (err) {
        fail(examGeneration, `0 ${err instanceof Error ? err.message : "error"}`);
        await backOff();
      }
    }
  };
  const takerLoop = async (i: number) => {
    const user = stack.students[(stack.students.length - 1 - i) % stack.students.length];
    if (!user) return;
    while (Date.now() < until) {
      const examId = exams.published.at(-1);
      const key = `${examId}:${user.id}`;
      if (!examId || (exams.used.get(key) ?? 0) >= ATTEMPTS_PER_EXAM) {
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      exams.used.set(key, (exams.used.get(key) ?? 0) + 1);
      try {
        const out = await sitExam(edges[(i + 1) % edges.length], user, examId);
        for (const step of out.steps) {
          examSteps.latenciesMs.push(step.ms);
          if (step.status >= 200 && step.status < 300) examSteps.ok++;
          else fail(examSteps, step.status);
        }
        if (out.outcome === "graded") {
          grading.latenciesMs.push(out.gradingMs!);
          grading.ok++;
        } else if (out.outcome === "not graded") {
          fail(grading, out.outcome);
        }
        if (out.outcome !== "graded") await backOff();
      } catch (err) {
        fail(examSteps, `0 ${err instanceof Error ? err.message : "error"}`);
        await backOff();
      }
    }
  };

  // Plain requests, each signed in as the class's users in turn (autocannon cycles through the list).
  const as = (users: LoadUser[], shape: { method?: string; path: string; body?: string }[]) =>
    users.flatMap((u) =>
      shape.map((s) => ({
        ...s,
        headers: {
          authorization: u.authorization,
          ...(s.body ? { "content-type": "application/json" } : {}),
        },
      }))
    );
  const rates = plainRates(options.rate);
  const closedLoop = async (name: string, edge: string, requests: PacedRequest[]): Promise<ClassResult> => {
    const run = await runAutocannon({
      url: edge,
      connections: options.connections,
      duration: options.durationSeconds,
      requests,
    });
    return autocannonClass(name, run);
  };
  // At a fixed rate: the evenly paced open-loop generator (tools/load/paced.ts), every class in one process.
  const paced = async (classes: PacedClass[]): Promise<ClassResult[]> => {
    const run = await runPacedProcess({ classes, durationSeconds: options.durationSeconds });
    return run.classes.map((r) => {
      const result = emptyClass(r.name);
      result.latenciesMs = r.latenciesMs;
      for (const [status, n] of Object.entries(r.statuses)) {
        if (Number(status) >= 200 && Number(status) < 300) result.ok += n;
        else result.errors[status] = (result.errors[status] ?? 0) + n;
      }
      for (const [failure, n] of Object.entries(r.failures)) result.errors[failure] = n;
      result.paced = {
        rate: r.rate,
        sent: r.sent,
        sendLagP99Ms: percentile(r.sendLagMs, 0.99),
        slowest: r.slowest,
      };
      return result;
    });
  };
  const query = JSON.stringify({
    courseId: stack.courseId,
    query: "simultaneous equations substitution",
    k: 8,
  });
  const plainClasses: PacedClass[] = [
    {
      name: "search (POST /search)",
      url: edges[0],
      requests: as(stack.students, [{ method: "POST", path: "/api/v1/search", body: query }]),
      rate: rates[0] ?? 0,
    },
    {
      name: "student reads (my courses, course documents)",
      url: edges[1 % edges.length],
      requests: as(stack.students, [
        { path: "/api/v1/me/courses" },
        { path: `/api/v1/courses/${stack.courseId}/documents?limit=20` },
      ]),
      rate: rates[1] ?? 0,
    },
    {
      name: "admin lists (audit, enrolments, jobs)",
      url: edges[0],
      requests: as([stack.admin], [
        { path: "/api/v1/audit?limit=20" },
        { path: `/api/v1/courses/${stack.courseId}/enrollments?limit=50` },
        { path: "/api/v1/jobs?limit=20" },
      ]),
      rate: rates[2] ?? 0,
    },
  ];
  const plainRuns = options.rate
    ? [paced(plainClasses)]
    : plainClasses.map((c) => closedLoop(c.name, c.url, c.requests).then((r) => [r]));
  const chatRuns = Array.from({ length: options.chats }, (_, i) => chatLoop(i));
  const uploadRuns = Array.from({ length: options.uploaders }, (_, i) => uploadLoop(i));
  const examRuns = [
    ...Array.from({ length: options.examAuthors ?? 0 }, (_, i) => authorLoop(i)),
    ...Array.from({ length: options.examTakers ?? 0 }, (_, i) => takerLoop(i)),
  ];
  const plainResults = (await Promise.all(plainRuns)).flat();
  await Promise.all([...chatRuns, ...uploadRuns, ...examRuns]);
  const mean = (xs: number[]) => xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
  ingestion.note = ingestion.latenciesMs.length
    ? `mean ${(mean(ingestion.latenciesMs) / 1000).toFixed(1)} s per PDF (${pdf.byteLength} bytes)`
    : undefined;
  const examClasses = (options.examTakers ?? 0) + (options.examAuthors ?? 0) > 0
    ? [examSteps, grading, ...(options.examAuthors ? [examGeneration] : [])]
    : [];
  return [chat, ttft, sessions, ...plainResults, upload, ingestion, ...examClasses];
}
