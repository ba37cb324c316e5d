import { type Db, schema } from "../db/client.ts";
import { AppError, ErrorCode } from "../errors.ts";
import { newId } from "../ids.ts";
import { logContext } from "../logger.ts";
import { isJobType, type JobPayloadInput, jobPayloads, type JobType } from "./payloads.ts";

/** Tenant scope of a job: copied to indexed columns so admins can filter by faculty or course. */
export interface JobScope {
  facultyId?: string;
  courseId?: string;
  [key: string]: string | undefined;
}

/** What to enqueue. */
export interface EnqueueRequest<T extends JobType> {
  type: T;
  payload: JobPayloadInput<T>;
  /** Who asked for it: may read its status through `GET /v1/jobs/:id`. */
  ownerUserId?: string | null;
  scope?: JobScope;
  /** Attempts before the job is `dead`; unset means the workers' `JOB_MAX_ATTEMPTS`. */
  maxAttempts?: number;
  /** Not before this time. */
  runAfter?: Date;
}

/** The row an enqueue made. */
export type JobRow = typeof schema.jobs.$inferSelect;

/**
 * Enqueues a job inside the caller's transaction (outbox): pass the transaction that makes the domain change, so
 * both commit or neither does. A dispatcher picks the row up after commit. The payload is checked here so a bug in
 * the producer fails at its source; workers check it again, since rows may outlive a schema change.
 */
export async function enqueueJob<T extends JobType>(tx: Db, request: EnqueueRequest<T>): Promise<JobRow> {
  const [row] = await tx.insert(schema.jobs).values(jobValues(request)).returning();
  return row;
}

/** Rows one statement of `enqueueJobs` inserts at most (about 11 parameters each, under Postgres's 65,535). */
export const ENQUEUE_BATCH_ROWS = 1000;

/**
 * Enqueues many jobs inside the caller's transaction, as `enqueueJob` does, in one statement per
 * `ENQUEUE_BATCH_ROWS` jobs instead of one round trip per job: an exam published to 1,000 students took 1,000
 * inserts in its transaction, over 30 s under load (docs/load.md). Returns how many were enqueued.
 */
export async function enqueueJobs<T extends JobType>(tx: Db, requests: EnqueueRequest<T>[]): Promise<number> {
  const values = requests.map(jobValues);
  for (let i = 0; i < values.length; i += ENQUEUE_BATCH_ROWS) {
    await tx.insert(schema.jobs).values(values.slice(i, i + ENQUEUE_BATCH_ROWS));
  }
  return values.length;
}

/** A job's row, its type and payload checked. */
function jobValues<T extends JobType>(request: EnqueueRequest<T>): typeof schema.jobs.$inferInsert {
  // The type parameter refuses an unknown type at compile time; this refuses one that came through a cast or `any`.
  if (!isJobType(request.type)) {
    throw new AppError(ErrorCode.INTERNAL, `Job type "${String(request.type)}" is unknown`);
  }
  const parsed = jobPayloads[request.type].safeParse(request.payload);
  if (!parsed.success) {
    throw new AppError(ErrorCode.INTERNAL, `Payload of job type "${request.type}" is invalid`, {
      cause: parsed.error,
    });
  }
  const scope = Object.fromEntries(
    Object.entries(request.scope ?? {}).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  return {
    id: newId(),
    type: request.type,
    payload: parsed.data,
    scope,
    facultyId: request.scope?.facultyId ?? null,
    courseId: request.scope?.courseId ?? null,
    ownerUserId: request.ownerUserId ?? null,
    maxAttempts: request.maxAttempts ?? null,
    ...(request.runAfter ? { runAfter: request.runAfter } : {}),
    requestId: logContext.getStore()?.requestId ?? null,
  };
}
