/**
 * Faults during load (`deno task load --faults`): each fault gets a short phase of the same mixed workload, is
 * injected a few seconds in and lifted after its hold; its effect is what the workload saw during that phase, and
 * the tiers must recover with no restart of their own (a probe through every edge afterwards). Jobs and turns lost
 * or doubled are checked once, after all faults, by the run's integrity checks.
 */
import { sql } from "drizzle-orm";
import { queryRows } from "../../shared/db/client.ts";
import type { FaultResult } from "./report.ts";
import type { Stack } from "./stack.ts";
import { type ClassResult, runWorkload, uploadAndIngest, type WorkloadOptions } from "./workload.ts";

/** One scripted fault. */
interface Fault {
  name: string;
  /** What the system declares for this fault (docs), shown beside the effect. */
  declared: string;
  holdMs: number;
  inject(stack: Stack): Promise<void>;
  lift(stack: Stack): Promise<void>;
  /** Whether the phase's errors stay within what is declared; absent: not judged (the verdict is recovery). */
  withinDeclared?: (classes: ClassResult[]) => boolean;
  /** Checks the declared degradation directly while the fault holds (`observeAfterMs` after injection). */
  observe?: (stack: Stack) => Promise<{ ok: boolean; note: string }>;
  /** When `observe` runs after injection (default 2 s, at most `holdMs`). */
  observeAfterMs?: number;
  /** Checks after recovery (e.g. that what degraded works again). */
  afterwards?: (stack: Stack) => Promise<{ ok: boolean; note: string }>;
}

/** One signed-in GET through the first edge: status and Retry-After. */
async function probe(stack: Stack, authorization: string, path: string) {
  const res = await fetch(`${stack.edgeUrls[0]}${path}`, { headers: { authorization } });
  await res.body?.cancel();
  return { status: res.status, retryAfter: res.headers.get("retry-after") };
}

/** The edges' `edge_kv_fallback_total{component="ratelimit"}`, summed. */
async function rateLimitFallbacks(stack: Stack): Promise<number> {
  let total = 0;
  for (const edge of stack.edgeUrls) {
    const res = await fetch(`${edge}/metrics`, {
      headers: { authorization: `Bearer ${stack.metricsToken}` },
    });
    const text = await res.text();
    for (const m of text.matchAll(/^edge_kv_fallback_total\{[^}]*component="ratelimit"[^}]*\} (\d+)/gm)) {
      total += Number(m[1]);
    }
  }
  return total;
}

/** What the Redis-restart fault saw while Redis was down, read by `afterwards`. */
const redisRestart = { fallbacksBefore: 0 };

/** Only 503 (counted per status, or as autocannon's non-2xx) in the phase: the declared answers while Redis is down. */
function only503(classes: ClassResult[]): boolean {
  return classes.every((c) => Object.keys(c.errors).every((k) => k === "503" || k === "non-2xx"));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function errorsOf(c: ClassResult): number {
  return Object.values(c.errors).reduce((a, b) => a + b, 0);
}

/** Errors outside the chat classes (chat is where model faults are allowed to show). */
function nonChatErrors(classes: ClassResult[]): number {
  return classes.filter((c) => !c.name.startsWith("chat")).reduce((n, c) => n + errorsOf(c), 0);
}

function summary(classes: ClassResult[]): string {
  const parts = classes.flatMap((c) => {
    const e = Object.entries(c.errors).map(([k, v]) => `${v} × ${k}`).join(", ");
    return e ? [`${c.name.split(" (")[0]}: ${e}`] : [];
  });
  return parts.length ? parts.join("; ") : "no errors";
}

/** SIGKILLs the worker holding a running job of `type` (within 30 s), restarts it after `downMs`. */
async function killWorkerHolding(stack: Stack, type: string, downMs: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const rows = await queryRows<{ locked_by: string | null }>(
      stack.database.db,
      sql`select locked_by from jobs where type = ${type} and status = 'running'`,
    );
    const holder = stack.processes.find((p) =>
      p.tier === "workers" && rows.some((r) => r.locked_by?.includes(String(p.child.pid)))
    );
    if (holder) {
      await holder.kill("SIGKILL");
      await sleep(downMs);
      await holder.restart();
      return;
    }
    await sleep(50);
  }
  throw new Error(`no worker held a running ${type} job within 30 s`);
}

/** SIGKILLs the worker holding a running ingestion job (started for the purpose), restarts it after `downMs`. */
async function killWorkerMidIngestion(stack: Stack, downMs: number): Promise<void> {
  const pdf = await Deno.readFile(
    new URL("../../fixtures/pdfs/en_cnx_simultaneous_equations_CC-BY-3.0.pdf", import.meta.url),
  );
  const ingestion = uploadAndIngest(stack.edgeUrls[0], stack.academics[0], stack.courseId, pdf, 240_000);
  await killWorkerHolding(stack, "documents.ingest", downMs);
  // The job itself is checked with all the others after the drain; its outcome is not awaited here.
  ingestion.catch(() => {});
}

const FAULTS: Fault[] = [
  {
    name: "Qdrant answers 503 for 20 s",
    declared: "search falls back to keyword-only; ingestion retried by QStash",
    holdMs: 20_000,
    inject: (s) => Promise.resolve(void (s.fakes.qdrant.failing = true)),
    lift: (s) => Promise.resolve(void (s.fakes.qdrant.failing = false)),
    withinDeclared: (classes) => classes.every((c) => errorsOf(c) === 0),
  },
  {
    name: "model breaks off mid-stream for 10 s",
    declared: "the turn ends with an SSE `error` event and is stored as not complete; nothing else fails",
    holdMs: 10_000,
    inject: (s) => Promise.resolve(void (s.fakes.model.mode = "break")),
    lift: (s) => Promise.resolve(void (s.fakes.model.mode = "ok")),
    withinDeclared: (classes) => nonChatErrors(classes) === 0,
  },
  {
    name: "model down (503) for 10 s",
    declared: "the documented refusal or an SSE `error` event; nothing else fails",
    holdMs: 10_000,
    inject: (s) => Promise.resolve(void (s.fakes.model.mode = "down")),
    lift: (s) => Promise.resolve(void (s.fakes.model.mode = "ok")),
    withinDeclared: (classes) => nonChatErrors(classes) === 0,
  },
  {
    name: "SIGKILL one core replica, restarted after 5 s",
    declared: "requests in flight on that replica fail; new connections go to the other replica",
    holdMs: 5_000,
    inject: (s) => s.processes.find((p) => p.name === "core-2")!.kill("SIGKILL"),
    lift: (s) => s.processes.find((p) => p.name === "core-2")!.restart(),
    // Requests in flight on the killed replica are lost with it: the verdict rests on the recovery probe and the
    // integrity checks.
  },
  {
    name: "SIGKILL the worker holding an ingestion job, restarted after 2 s",
    declared:
      "QStash redelivers; another worker takes the job over when its lease ends; the job runs to the end once",
    holdMs: 0,
    inject: (s) => killWorkerMidIngestion(s, 2_000),
    lift: () => Promise.resolve(),
    withinDeclared: (classes) => classes.every((c) => errorsOf(c) === 0),
  },
  {
    name: "SIGKILL the worker grading an exam attempt, restarted after 2 s",
    declared:
      "QStash redelivers; another worker takes the grading over when its lease ends; the attempt is graded once",
    holdMs: 0,
    // Students submit attempts throughout the phase; the kill waits for one being graded.
    inject: (s) => killWorkerHolding(s, "exams.grade", 2_000),
    lift: () => Promise.resolve(),
    withinDeclared: (classes) => classes.every((c) => errorsOf(c) === 0),
  },
  {
    name: "Redis unreachable for 5 s (connections cut)",
    declared:
      "edge: signed-in calls answered from the revocation mirror for up to REVOCATION_MAX_STALENESS_MS " +
      "(5 s), then 503 (fail closed); per-process limits, cache bypassed",
    holdMs: 5_000,
    inject: (s) => Promise.resolve(s.redisProxy.cut()),
    lift: (s) => Promise.resolve(s.redisProxy.restore()),
  },
  {
    name: "Redis restarted: SIGKILL, started again after 8 s with its data lost",
    declared:
      "per docs/kv.md: signed-in calls 503 with Retry-After once the edge's revocation mirror is older than " +
      "REVOCATION_MAX_STALENESS_MS (5 s), rate limits fall back to each edge's own window, the cache is bypassed; " +
      "answers again once Redis is back (revocations the edges mirrored before the restart still hold)",
    // Held past the mirror's staleness bound (5 s) so the fail-closed answer can be observed.
    holdMs: 8_000,
    observeAfterMs: 6_500,
    inject: async (s) => {
      if (!s.ownRedis) throw new Error("needs the stack's own redis-server (--own-redis)");
      redisRestart.fallbacksBefore = await rateLimitFallbacks(s);
      await s.ownRedis.stop("kill");
    },
    lift: async (s) => await s.ownRedis?.start(),
    observe: async (s) => {
      const admin = await probe(s, s.admin.authorization, "/api/v1/audit?limit=1");
      const student = await probe(s, s.students[0].authorization, "/api/v1/me/courses");
      const fallbacks = await rateLimitFallbacks(s) - redisRestart.fallbacksBefore;
      const ok = admin.status === 503 && admin.retryAfter !== null && fallbacks > 0;
      return {
        ok,
        note: `while down: admin audit list ${admin.status} (Retry-After ${admin.retryAfter ?? "none"}), ` +
          `student reads ${student.status} (Retry-After ${student.retryAfter ?? "none"}), ` +
          `${fallbacks} rate-limit checks on the edges' own windows`,
      };
    },
    afterwards: async (s) => {
      const admin = await probe(s, s.admin.authorization, "/api/v1/audit?limit=1");
      return { ok: admin.status === 200, note: `after: admin audit list ${admin.status}` };
    },
    withinDeclared: only503,
  },
  {
    name: "Postgres cut for 10 s (TCP proxy)",
    declared: "503 with Retry-After while the database is unreachable; recovery without restart",
    holdMs: 10_000,
    inject: (s) => Promise.resolve(s.postgresProxy.cut()),
    lift: (s) => Promise.resolve(s.postgresProxy.restore()),
  },
];

/** Whether every edge answers signed-in reads again (five in a row each) within `timeoutMs`. */
async function recovered(stack: Stack, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (const edge of stack.edgeUrls) {
    let streak = 0;
    while (streak < 5) {
      if (Date.now() > deadline) return false;
      try {
        const res = await fetch(`${edge}/api/v1/me/courses`, {
          headers: { authorization: stack.students[0].authorization },
        });
        await res.body?.cancel();
        streak = res.ok ? streak + 1 : 0;
      } catch {
        streak = 0;
      }
      if (streak < 5) await sleep(200);
    }
  }
  return true;
}

/** Runs every fault in turn under the workload; returns what each did. */
export async function runFaults(
  stack: Stack,
  workload: Omit<WorkloadOptions, "durationSeconds">,
  log: (line: string) => void,
  only?: string[],
): Promise<{ results: FaultResult[]; classes: ClassResult[][] }> {
  const results: FaultResult[] = [];
  const classes: ClassResult[][] = [];
  for (const fault of FAULTS.filter((f) => !only || only.some((o) => f.name.toLowerCase().includes(o)))) {
    log(`fault: ${fault.name}`);
    const durationSeconds = Math.ceil((3_000 + fault.holdMs + 5_000) / 1000);
    const phase = runWorkload(stack, { ...workload, durationSeconds });
    await sleep(3_000);
    let injected = "";
    let observed: { ok: boolean; note: string } | undefined;
    try {
      await fault.inject(stack);
      const held = sleep(fault.holdMs);
      if (fault.observe) {
        await sleep(Math.min(fault.observeAfterMs ?? 2_000, fault.holdMs));
        observed = await fault.observe(stack).catch((err) => ({
          ok: false,
          note: `observation failed: ${err}`,
        }));
      }
      await held;
    } catch (err) {
      injected = `NOT injected: ${err instanceof Error ? err.message : err}. `;
    }
    await fault.lift(stack);
    const seen = await phase;
    const back = await recovered(stack);
    const after = back && !injected && fault.afterwards
      ? await fault.afterwards(stack).catch((err) => ({ ok: false, note: `check failed: ${err}` }))
      : undefined;
    const notes = [observed?.note, after?.note].filter(Boolean).join("; ");
    classes.push(seen);
    results.push({
      name: fault.name,
      effect: `${injected}${summary(seen)}${
        notes ? `. Observed ${notes}` : ""
      }. Declared: ${fault.declared}. ${back ? "Recovered" : "NOT recovered"} without restart.`,
      ok: !injected && back && (fault.withinDeclared?.(seen) ?? true) && (observed?.ok ?? true) &&
        (after?.ok ?? true),
      judged: fault.withinDeclared !== undefined,
    });
  }
  return { results, classes };
}
