import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../shared/db/client.ts";
import { afterCursor, fixedSort, orderOf, pageOf, sortKeyOf } from "../academics/pagination.ts";
import { jobs } from "../../shared/db/schema/jobs.ts";
import type { JobRow } from "../../shared/jobs/enqueue.ts";
import { AppError, ErrorCode, errors } from "../../shared/errors.ts";
import type { Identity } from "../../shared/identity.ts";

/** What the API shows of a job. */
export interface JobView {
  id: string;
  type: string;
  status: JobRow["status"];
  progress: number;
  attempts: number;
  maxAttempts: number | null;
  error: string | null;
  result: unknown;
  resultUrl: string | null;
  ownerUserId: string | null;
  scope: Record<string, string>;
  runAfter: string;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** The API view of a job row. */
export function jobView(row: JobRow): JobView {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    progress: row.progress,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    error: row.lastError,
    result: row.result ?? null,
    resultUrl: row.resultUrl,
    ownerUserId: row.ownerUserId,
    scope: row.scope,
    runAfter: row.runAfter.toISOString(),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

/** A job the caller may see: its owner or an admin. Others get 404, so job ids cannot be probed. */
export async function jobForCaller(db: Db, caller: Identity, id: string): Promise<JobRow> {
  const [row] = await db.select().from(jobs).where(and(eq(jobs.id, id), isNull(jobs.deletedAt)));
  if (!row || (caller.role !== "ADMIN" && row.ownerUserId !== caller.userId)) throw errors.notFound("Job");
  return row;
}

/** Filters admins may list jobs by. */
export interface JobFilters {
  type?: string;
  status?: JobRow["status"];
  ownerUserId?: string;
  facultyId?: string;
  courseId?: string;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  limit: number;
}

/** Lists jobs, newest first. */
export async function listJobs(
  db: Db,
  filters: JobFilters,
): Promise<{ rows: JobRow[]; nextCursor: string | null }> {
  const sort = fixedSort("-createdAt", jobs.createdAt, "timestamptz", true);
  const where: SQL[] = [isNull(jobs.deletedAt) as SQL];
  if (filters.type) where.push(eq(jobs.type, filters.type));
  if (filters.status) where.push(eq(jobs.status, filters.status));
  if (filters.ownerUserId) where.push(eq(jobs.ownerUserId, filters.ownerUserId));
  if (filters.facultyId) where.push(eq(jobs.facultyId, filters.facultyId));
  if (filters.courseId) where.push(eq(jobs.courseId, filters.courseId));
  const after = afterCursor(sort, jobs.id, filters.cursor);
  if (after) where.push(after);
  const rows = await db.select({ row: jobs, id: jobs.id, sortKey: sortKeyOf(sort) }).from(jobs)
    .where(and(...where)).orderBy(...orderOf(sort, jobs.id)).limit(filters.limit + 1);
  const page = pageOf(rows, filters.limit, sort);
  return { rows: page.rows.map((r) => r.row), nextCursor: page.nextCursor };
}

/**
 * Puts a dead job back in the queue for a fresh set of attempts. The generation bump gives the QStash publish a new
 * deduplication id, and clearing `dispatched_at` puts the row back in the outbox.
 */
export async function retryDeadJob(db: Db, caller: Identity, id: string): Promise<JobRow> {
  const job = await jobForCaller(db, caller, id);
  if (job.status !== "dead") {
    throw new AppError(ErrorCode.CONFLICT, `Only dead jobs can be retried; this one is "${job.status}"`);
  }
  const [row] = await db.update(jobs).set({
    status: "queued",
    attempts: 0,
    progress: 0,
    runAfter: sql`now()`,
    dispatchedAt: null,
    finishedAt: null,
    generation: sql`${jobs.generation} + 1`,
  }).where(and(eq(jobs.id, id), eq(jobs.status, "dead"))).returning();
  if (!row) throw new AppError(ErrorCode.CONFLICT, "The job changed while retrying it; try again");
  return row;
}
