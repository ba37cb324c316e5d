import type { z } from "zod";
import type { Database } from "../../shared/db/client.ts";
import {
  isJobType,
  JOB_TYPES,
  type JobPayload,
  jobPayloads,
  type JobType,
} from "../../shared/jobs/payloads.ts";
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

/** The handler of one known job type, made by `defineJob`: it carries its type, so it cannot be filed under another. */
export interface JobHandler<T extends JobType> extends JobDefinition<JobPayload<T>> {
  readonly type: T;
}

/** Every job type of `shared/jobs/payloads.ts` with its one handler, typed by the type's payload. */
export type JobHandlers = { readonly [T in JobType]: JobHandler<T> };

/** Some job types' handlers (documents, exams, ...): one group of the registry `registerJobs` joins. */
export type JobHandlerGroup = Partial<JobHandlers>;

/**
 * What the runner looks a claimed job's type up in (the type on a row is only a string). In production this is
 * `registerJobs(...)`'s result; tests may pass registries with test-only types.
 */
export type JobRegistry = Readonly<Record<string, JobDefinition>>;

/** Defines the handler of a known job type, with the payload schema from `shared/jobs/payloads.ts`. */
export function defineJob<T extends JobType>(
  type: T,
  run: (ctx: JobContext<JobPayload<T>>) => Promise<JobOutcome | void>,
): JobHandler<T> {
  return { type, schema: jobPayloads[type] as unknown as z.ZodType<JobPayload<T>>, run };
}

/** The job types of each group, joined. */
type TypesOf<G> = G extends readonly [infer H, ...infer R] ? keyof H | TypesOf<R> : never;
/** The job types more than one group registers. */
type RegisteredTwice<G> = G extends readonly [infer H, ...infer R]
  ? (keyof H & TypesOf<R>) | RegisteredTwice<R>
  : never;
/** `G` itself when its groups register each known job type exactly once; otherwise a type naming what is wrong. */
type EachTypeOnce<G extends readonly JobHandlerGroup[]> = [RegisteredTwice<G>] extends [never]
  ? [Exclude<TypesOf<G>, JobType>] extends [never] ? [Exclude<JobType, TypesOf<G>>] extends [never] ? G
    : { jobTypesWithoutHandler: Exclude<JobType, TypesOf<G>> }
  : { unknownJobTypes: Exclude<TypesOf<G>, JobType> }
  : { jobTypesRegisteredTwice: RegisteredTwice<G> };

/**
 * Joins handler groups into the one registry: a job type registered by two groups, a type `shared/jobs/payloads.ts`
 * does not know, or a known type left without a handler is a type error, and (for groups built at run time) an
 * error at start-up; so no handler wins over another by spread order.
 */
export function registerJobs<const G extends readonly JobHandlerGroup[]>(
  ...groups: G & EachTypeOnce<G>
): JobHandlers {
  const handlers: Record<string, JobDefinition> = {};
  for (const group of groups as readonly Record<string, JobHandler<JobType> | undefined>[]) {
    for (const [type, handler] of Object.entries(group)) {
      if (!handler) continue;
      if (!isJobType(type)) throw new Error(`Job type "${type}" is not in shared/jobs/payloads.ts`);
      if (Object.hasOwn(handlers, type)) throw new Error(`Job type "${type}" is registered twice`);
      if (handler.type !== type) {
        throw new Error(`The handler of "${handler.type}" is registered as "${type}"`);
      }
      handlers[type] = handler;
    }
  }
  const missing = JOB_TYPES.filter((type) => !Object.hasOwn(handlers, type));
  if (missing.length) {
    throw new Error(`Job types without a handler: ${missing.map((t) => `"${t}"`).join(", ")}`);
  }
  return Object.freeze(handlers) as unknown as JobHandlers;
}

/** The handler of a job row's type, or undefined: only the registry's own entries count (not `toString` etc.). */
export function handlerFor(registry: JobRegistry, type: string): JobDefinition | undefined {
  return Object.hasOwn(registry, type) ? registry[type] : undefined;
}
