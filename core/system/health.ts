/**
 * System health for the admin's page: core's own readiness (its database), the workers' readiness (core asks their
 * `/readyz` at WORKERS_URL, the internal address a deployer already gives the edge for core), and the job queue as
 * the workers leave it (what waits, since when, and what died). Readiness probes stay per tier: this report never
 * gates traffic, so a workers outage shows here without taking core or the edge out of rotation.
 */
import { and, count, eq, lte, min } from "drizzle-orm";
import type { Database } from "../../shared/db/client.ts";
import { jobs } from "../../shared/db/schema/jobs.ts";

/** One tier's readiness: ok true/false, or null when it is not checked (no address configured). */
export interface TierHealth {
  ok: boolean | null;
  reason?: string;
  /** The checks the tier reported (its `/readyz`), when it answered. */
  checks?: Record<string, { ok: boolean; reason?: string }>;
}

/** The report. */
export interface SystemHealth {
  core: TierHealth;
  workers: TierHealth;
  queue: { queued: number; oldestQueuedSeconds: number | null; dead: number };
  checkedAt: string;
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asks the workers' `/readyz`; a tier that does not answer in time, or answers not ready, is not ok. */
export async function workersReadiness(
  workersUrl: string | undefined,
  fetcher: typeof fetch = fetch,
  timeoutMs = 2000,
): Promise<TierHealth> {
  if (!workersUrl) return { ok: null, reason: "WORKERS_URL is not set, so core cannot ask the workers" };
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await within(
      fetcher(new URL("/readyz", workersUrl), { headers: { accept: "application/json" }, signal }),
      timeoutMs,
      "the workers",
    );
    const body = await res.json().catch(() => ({})) as {
      checks?: TierHealth["checks"];
      error?: { message?: string; details?: TierHealth["checks"] };
    };
    if (res.ok) return { ok: true, checks: body.checks ?? {} };
    return {
      ok: false,
      reason: body.error?.message ?? `the workers answered ${res.status}`,
      checks: body.error?.details,
    };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** Core's database, the workers, and the queue. */
export async function systemHealth(
  deps: { database: Database; workersUrl?: string; fetch?: typeof fetch; now?: Date },
): Promise<SystemHealth> {
  const now = deps.now ?? new Date();
  const [core, workers, queue] = await Promise.all([
    within(deps.database.ping(), 2000, "the database").then(
      () => ({ ok: true, checks: { database: { ok: true } } }) as TierHealth,
      (err) =>
        ({
          ok: false,
          reason: err instanceof Error ? err.message : String(err),
          checks: { database: { ok: false } },
        }) as TierHealth,
    ),
    workersReadiness(deps.workersUrl, deps.fetch),
    queueOf(deps.database, now).catch(() => ({ queued: 0, oldestQueuedSeconds: null, dead: 0 })),
  ]);
  return { core, workers, queue, checkedAt: now.toISOString() };
}

async function queueOf(database: Database, now: Date): Promise<SystemHealth["queue"]> {
  const [[waiting], [dead]] = await Promise.all([
    database.db.select({ n: count(), oldest: min(jobs.runAfter) }).from(jobs).where(
      and(eq(jobs.status, "queued"), lte(jobs.runAfter, now)),
    ),
    database.db.select({ n: count() }).from(jobs).where(eq(jobs.status, "dead")),
  ]);
  const oldest = waiting.oldest ? new Date(waiting.oldest) : null;
  return {
    queued: Number(waiting.n),
    oldestQueuedSeconds: oldest ? Math.max(0, Math.round((now.getTime() - oldest.getTime()) / 1000)) : null,
    dead: Number(dead.n),
  };
}
