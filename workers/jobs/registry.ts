import type { z } from "zod";
import type { Database } from "../../shared/db/client.ts";
import { type JobPayload, jobPayloads, type JobType } from "../../shared/jobs/payloads.ts";
import type { Logger } from "../../shared/logger.ts";
import type { JobDeps } from "./deps.ts";

export type { JobDeps } from "./deps.ts";

/** What a handler is given for one attempt of one job. */
export interface JobContext<P> {
  job: {
    id: string;
    type: string;
    /** 1 on the first attempt. */
    attempt: number;
    ownerUserId: string | null;
    scope: Record<string, string>;
    /** Why the previous attempt failed (or that its worker died), null on a first attempt. */
    lastError: string | null;
  };
  payload: P;
  database: Database;
  logger: Logger;
  /**
   * Records progress 0–100 and, when given, a detail object (e.g. pages read, chunks embedded) shown as the job's
   * `result` until it finishes (both visible through `GET /v1/jobs/:id`); extends the lease.
   */
  reportProgress(percent: number, detail?: Record<string, unknown>): Promise<void>;
  /** Services some handlers need besides the database (document storage, embedder, vector store, KV). */
  deps: JobDeps;
}

/**
 * Thrown by a handler when retrying cannot help (an encrypted or corrupt upload, a row in the wrong state): the
 * job ends `dead` at once with this message as its last error, without spending its remaining attempts.
 */
export class PermanentJobError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "PermanentJobError";
  }
}

/** What a handler may return: a result stored on the job, and where to read it. */
export interface JobOutcome {
  result?: unknown;
  resultUrl?: string;
}

/**
 * A job type's handler with the schema its payload must pass. Handlers must be idempotent: a re-run of a half-done
 * attempt (after a crash or a lost lease) must converge to the same end state, e.g. by keying rows on the job id.
 */
export interface JobDefinition<P = unknown> {
  schema: z.ZodType<P>;
  run(ctx: JobContext<P>): Promise<JobOutcome | void>;
}

/** Handlers by job type. */
export type JobRegistry = Record<string, JobDefinition>;

/** Defines the handler of a known job type, with the payload schema from `shared/jobs/payloads.ts`. */
export function defineJob<T extends JobType>(
  type: T,
  run: (ctx: JobContext<JobPayload<T>>) => Promise<JobOutcome | void>,
): JobDefinition {
  return { schema: jobPayloads[type] as unknown as z.ZodType<JobPayload<T>>, run } as JobDefinition;
}
