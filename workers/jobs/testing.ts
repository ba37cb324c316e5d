/** Test helpers for the job machinery: a user row, runner options, and raw job rows. */
import { eq } from "drizzle-orm";
import { type Database, schema } from "../../shared/db/client.ts";
import type { JobRow } from "../../shared/jobs/enqueue.ts";
import { memoryLogger } from "../../shared/logger.ts";
import { jobHandlers } from "./handlers/mod.ts";
import type { JobRegistry } from "./registry.ts";
import { runClaimedJob, type RunnerOptions, type RunOutcome } from "./runner.ts";
import { claimJob } from "./store.ts";

/** Inserts a user with a random email and returns its id. */
export async function makeUser(database: Database, role: "ADMIN" | "ACADEMIC" | "STUDENT" = "STUDENT") {
  const [row] = await database.db.insert(schema.users).values({
    email: `${crypto.randomUUID()}@test.example`,
    role,
  }).returning({ id: schema.users.id });
  return row.id;
}

/** Runner options for tests: tiny backoff, short lease, a unique worker id, in-memory logs. */
export function testRunner(
  database: Database,
  overrides: Partial<RunnerOptions> & { registry?: JobRegistry } = {},
): RunnerOptions & { logger: ReturnType<typeof memoryLogger> } {
  return {
    database,
    registry: jobHandlers,
    workerId: `test:${crypto.randomUUID().slice(0, 8)}`,
    leaseMs: 5_000,
    maxAttempts: 3,
    backoff: { baseMs: 1, maxMs: 5 },
    ...overrides,
    logger: memoryLogger("workers"),
  };
}

/** Inserts a job row directly (bypassing `enqueueJob`'s validation), for tests of bad rows and test-only types. */
export async function insertJob(
  database: Database,
  values: Partial<typeof schema.jobs.$inferInsert> & { type: string; payload: unknown },
): Promise<JobRow> {
  const [row] = await database.db.insert(schema.jobs).values(values).returning();
  return row;
}

/** Reads a job row by id. */
export async function jobById(database: Database, id: string): Promise<JobRow> {
  const [row] = await database.db.select().from(schema.jobs).where(eq(schema.jobs.id, id));
  return row;
}

/** Waits until `check` returns a truthy value, polling every 25 ms; throws after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (true) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Claims one named job (ignoring its backoff) and runs one attempt of it; `missing` etc. when it was not claimable. */
export async function runJobNow(
  database: Database,
  id: string,
  runner: RunnerOptions,
): Promise<RunOutcome | "not-claimed"> {
  const claim = await claimJob(database.db, id, { workerId: runner.workerId, leaseMs: runner.leaseMs });
  if (claim.state !== "claimed") return "not-claimed";
  return runClaimedJob(claim.job, runner);
}

/**
 * Claims one job and runs it now as a worker would, with the test runner and `overrides` (e.g. a registry of
 * handlers with a fake model, or the services a handler takes); throws when the job cannot be claimed. Other tiers'
 * tests run their jobs through this, so their helpers need nothing of the runner itself.
 */
export async function runJobAsWorker(
  database: Database,
  id: string,
  overrides: Partial<RunnerOptions> & { registry?: JobRegistry } = {},
): Promise<RunOutcome> {
  const outcome = await runJobNow(database, id, testRunner(database, overrides));
  if (outcome === "not-claimed") throw new Error(`Job ${id} could not be claimed`);
  return outcome;
}
