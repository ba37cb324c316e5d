/**
 * The job state machine on the `jobs` table, as the workers drive it. Every time comes from the database's clock
 * (`now()`), so workers on machines with skewed clocks agree on what is due and whose lease has run out.
 */
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "../../shared/db/client.ts";
import { jobs } from "../../shared/db/schema/jobs.ts";
import type { JobRow } from "../../shared/jobs/enqueue.ts";

/** What a claim records when it takes over a job whose worker stopped renewing its lease. */
export const WORKER_DIED = "stopped answering (lease expired)";
/** How a failed attempt's error starts when the child process running its document died (`ProcessorCrashedError`). */
export const PROCESSOR_DIED = "The document processor stopped";
/** Appended when the worker died and the attempt before had died as well. */
export const EARLIER_DEATH = ", as did an earlier attempt";

/** True when the last error says the previous attempt's worker (or document processor) died. */
export function previousAttemptDied(lastError: string | null): boolean {
  return !!lastError && (lastError.includes(WORKER_DIED) || lastError.startsWith(PROCESSOR_DIED));
}

const msFromNow = (ms: number) => sql`now() + make_interval(secs => ${ms / 1000})`;

const leaseExpired = and(eq(jobs.status, "running"), lt(jobs.leaseUntil, sql`now()`));

/**
 * Claims up to `limit` due jobs for one worker with `FOR UPDATE SKIP LOCKED`, so concurrent workers never take the
 * same row: queued or failed jobs whose `run_after` has come, and running jobs whose lease ran out (their worker
 * died). Each claim counts as an attempt.
 */
export function claimDueJobs(
  db: Db,
  options: { workerId: string; limit: number; leaseMs: number },
): Promise<JobRow[]> {
  const due = or(
    and(inArray(jobs.status, ["queued", "failed"]), lte(jobs.runAfter, sql`now()`)),
    leaseExpired,
  );
  const candidates = db.select({ id: jobs.id }).from(jobs)
    .where(and(due, isNull(jobs.deletedAt)))
    .orderBy(asc(jobs.runAfter))
    .limit(options.limit)
    .for("update", { skipLocked: true });
  return db.update(jobs).set(claimSet(options)).where(inArray(jobs.id, candidates)).returning();
}

/** What a claim writes: running, one more attempt, a fresh lease; a lost lease is recorded as the last error. */
function claimSet(options: { workerId: string; leaseMs: number }) {
  return {
    status: "running" as const,
    attempts: sql`${jobs.attempts} + 1`,
    leaseUntil: msFromNow(options.leaseMs),
    lockedBy: options.workerId,
    lastError: sql`case when ${jobs.status} = 'running'
      then 'The worker running attempt ' || ${jobs.attempts} || ' stopped answering (lease expired)' ||
        case when ${jobs.lastError} like ${`%${WORKER_DIED}%`} or ${jobs.lastError} like ${`${PROCESSOR_DIED}%`}
          then ${EARLIER_DEATH} else '' end
      else ${jobs.lastError} end`,
    dispatchedAt: sql`coalesce(${jobs.dispatchedAt}, now())`,
    startedAt: sql`coalesce(${jobs.startedAt}, now())`,
  };
}

/** Outcome of trying to claim one job for a push delivery. */
export type ClaimOne =
  | { state: "claimed"; job: JobRow }
  | { state: "succeeded" | "dead" | "busy"; job: JobRow }
  | { state: "missing" };

/**
 * Claims one named job for a push delivery (QStash). QStash owns the retry timing there, so `run_after` is not
 * waited for; a job another worker holds under a live lease is `busy`.
 */
export async function claimJob(
  db: Db,
  id: string,
  options: { workerId: string; leaseMs: number },
): Promise<ClaimOne> {
  const [claimed] = await db.update(jobs).set(claimSet(options))
    .where(and(
      eq(jobs.id, id),
      isNull(jobs.deletedAt),
      or(inArray(jobs.status, ["queued", "failed"]), leaseExpired),
    ))
    .returning();
  if (claimed) return { state: "claimed", job: claimed };
  const [row] = await db.select().from(jobs).where(and(eq(jobs.id, id), isNull(jobs.deletedAt)));
  if (!row) return { state: "missing" };
  if (row.status === "succeeded" || row.status === "dead") return { state: row.status, job: row };
  return { state: "busy", job: row };
}

const heldBy = (id: string, workerId: string) =>
  and(eq(jobs.id, id), eq(jobs.status, "running"), eq(jobs.lockedBy, workerId));

/** Extends the lease of a job this worker still holds; false when it lost the job. */
export async function extendLease(db: Db, id: string, workerId: string, leaseMs: number): Promise<boolean> {
  const rows = await db.update(jobs).set({ leaseUntil: msFromNow(leaseMs) }).where(heldBy(id, workerId))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/** Records progress (0–100) of a held job, and a detail shown as its result until it ends; extends its lease. */
export async function setProgress(
  db: Db,
  id: string,
  options: { workerId: string; leaseMs: number; progress: number; detail?: Record<string, unknown> },
): Promise<boolean> {
  const progress = Math.max(0, Math.min(100, Math.round(options.progress)));
  const rows = await db.update(jobs).set({
    progress,
    leaseUntil: msFromNow(options.leaseMs),
    ...(options.detail ? { result: options.detail } : {}),
  })
    .where(heldBy(id, options.workerId)).returning({ id: jobs.id });
  return rows.length > 0;
}

/** Marks a held job succeeded with its result; false when this worker no longer held it. */
export async function completeJob(
  db: Db,
  id: string,
  options: { workerId: string; result?: unknown; resultUrl?: string | null },
): Promise<boolean> {
  const rows = await db.update(jobs).set({
    status: "succeeded",
    progress: 100,
    result: options.result ?? null,
    resultUrl: options.resultUrl ?? null,
    lastError: null,
    leaseUntil: null,
    lockedBy: null,
    finishedAt: sql`now()`,
  }).where(heldBy(id, options.workerId)).returning({ id: jobs.id });
  return rows.length > 0;
}

/** Records a failed attempt: `failed` with the next attempt `retryInMs` from now, or `dead` when none is left. */
export async function failJob(
  db: Db,
  id: string,
  options: { workerId: string; error: string; retryInMs?: number },
): Promise<boolean> {
  const dead = options.retryInMs === undefined;
  const rows = await db.update(jobs).set({
    status: dead ? "dead" : "failed",
    lastError: options.error.slice(0, 4000),
    leaseUntil: null,
    lockedBy: null,
    ...(dead ? { finishedAt: sql`now()` } : { runAfter: msFromNow(options.retryInMs!) }),
  }).where(heldBy(id, options.workerId)).returning({ id: jobs.id });
  return rows.length > 0;
}

/**
 * Hands back the jobs this worker still runs (shutdown after the grace period): queued again at once, the
 * unfinished attempt not counted, so another worker takes them over without waiting for the lease to run out.
 */
export async function releaseHeldJobs(db: Db, workerId: string): Promise<number> {
  const rows = await db.update(jobs).set({
    status: "queued",
    attempts: sql`greatest(${jobs.attempts} - 1, 0)`,
    runAfter: sql`now()`,
    leaseUntil: null,
    lockedBy: null,
    lastError: "Handed back unfinished when its worker shut down",
  }).where(and(eq(jobs.status, "running"), eq(jobs.lockedBy, workerId))).returning({ id: jobs.id });
  return rows.length;
}

/** Marks any unfinished job dead (QStash gave up and another delivery would be refused the same way). */
export async function markDead(db: Db, id: string, error: string): Promise<boolean> {
  const rows = await db.update(jobs).set({
    status: "dead",
    lastError: error.slice(0, 4000),
    leaseUntil: null,
    lockedBy: null,
    finishedAt: sql`now()`,
  }).where(and(eq(jobs.id, id), inArray(jobs.status, ["queued", "failed", "running"])))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/**
 * Puts an unfinished job back in the outbox for a new QStash message (QStash gave up on the old one without the job
 * running out of attempts). Status, attempts and any holder's lease are left alone, so a worker still running it
 * keeps it and nothing runs twice; the new message is due no sooner than `minDelayMs` from now, the job's
 * `run_after` and the end of a live lease. The generation bump gives the publish a new deduplication id, and counts
 * the times the job was put back: once it reaches `maxRequeues`, nothing is updated (the caller makes the job
 * dead) unless a worker holds it under a live lease.
 */
export async function requeueForDelivery(
  db: Db,
  id: string,
  minDelayMs: number,
  maxRequeues = Number.MAX_SAFE_INTEGER,
): Promise<JobRow | undefined> {
  const [row] = await db.update(jobs).set({
    dispatchedAt: null,
    generation: sql`${jobs.generation} + 1`,
    runAfter: sql`greatest(${jobs.runAfter}, ${jobs.leaseUntil}, ${msFromNow(minDelayMs)})`,
  }).where(
    and(
      eq(jobs.id, id),
      isNull(jobs.deletedAt),
      inArray(jobs.status, ["queued", "failed", "running"]),
      // `generation` counts the times it was put back: past the cap only a job a worker holds under a live lease.
      or(sql`${jobs.generation} < ${maxRequeues}`, sql`${jobs.leaseUntil} > now()`),
    ),
  )
    .returning();
  return row;
}

/**
 * Outbox rows not yet handed to the transport, oldest first, with how long until each is due (database clock): new
 * jobs, and unfinished jobs put back by `requeueForDelivery`.
 */
export async function pendingOutbox(db: Db, limit: number): Promise<(JobRow & { dueInMs: number })[]> {
  const rows = await db.select({
    job: jobs,
    dueInMs: sql<number>`greatest(0, ceil(extract(epoch from ${jobs.runAfter} - now()) * 1000))::int`,
  }).from(jobs)
    .where(and(
      isNull(jobs.dispatchedAt),
      or(eq(jobs.status, "queued"), inArray(jobs.status, ["failed", "running"])),
      isNull(jobs.deletedAt),
    ))
    .orderBy(asc(jobs.createdAt))
    .limit(limit);
  return rows.map((r) => ({ ...r.job, dueInMs: Number(r.dueInMs) }));
}

/** Marks an outbox row as handed to the transport. */
export async function markDispatched(db: Db, id: string, generation: number): Promise<void> {
  await db.update(jobs).set({ dispatchedAt: sql`now()` })
    .where(and(eq(jobs.id, id), eq(jobs.generation, generation), isNull(jobs.dispatchedAt)));
}
