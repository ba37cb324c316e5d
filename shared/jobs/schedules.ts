/**
 * Scheduled jobs, declared once: each schedule names a job type and a cron expression. Production registers these
 * with QStash (`deno task schedules:sync`), which calls the workers' `POST /schedules/<name>`; the embedded default
 * runs them from an in-process scheduler in the workers. Both enqueue through `enqueueScheduled`, which records the
 * time slot in `schedule_runs`, so two schedulers (or a retried QStash call) enqueue a slot once.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { scheduleRuns } from "../db/schema/accounts.ts";
import { enqueueJob } from "./enqueue.ts";
import type { JobType } from "./payloads.ts";

/** One schedule: `cron` is five fields (minute hour day-of-month month day-of-week) in UTC. */
export interface Schedule {
  name: string;
  cron: string;
  type: Extract<JobType, `maintenance.${string}`>;
}

/** Every schedule. */
export const SCHEDULES: readonly Schedule[] = [
  // Chat transcripts past CHAT_RETENTION_DAYS, once a day at a quiet hour.
  { name: "chat-retention", cron: "17 3 * * *", type: "maintenance.chat_retention" },
  // Expired account tokens, invitations and refresh tokens, hourly.
  { name: "expire-tokens", cron: "7 * * * *", type: "maintenance.expire_tokens" },
];

/** The schedule called `name`, if any. */
export function scheduleNamed(name: string): Schedule | undefined {
  return SCHEDULES.find((s) => s.name === name);
}

function fieldMatches(field: string, value: number): boolean {
  return field.split(",").some((part) => {
    const [range, stepText] = part.split("/");
    const step = stepText ? Number(stepText) : 1;
    if (range === "*") return value % step === 0;
    const [lo, hi] = range.split("-").map(Number);
    if (hi === undefined) return value === lo;
    return value >= lo && value <= hi && (value - lo) % step === 0;
  });
}

/** Whether a cron expression (numbers, `*`, lists, ranges, steps) fires at the minute of `at` (UTC). */
export function cronMatches(cron: string, at: Date): boolean {
  const [minute, hour, dom, month, dow] = cron.trim().split(/\s+/);
  return fieldMatches(minute, at.getUTCMinutes()) && fieldMatches(hour, at.getUTCHours()) &&
    fieldMatches(dom, at.getUTCDate()) && fieldMatches(month, at.getUTCMonth() + 1) &&
    fieldMatches(dow, at.getUTCDay());
}

/** The latest minute at or before `now` when `cron` fired, looking back at most `withinMs` (default a day). */
export function latestSlot(cron: string, now: Date, withinMs = 86_400_000): Date | undefined {
  const start = Math.floor(now.getTime() / 60_000) * 60_000;
  for (let t = start; t > now.getTime() - withinMs; t -= 60_000) {
    if (cronMatches(cron, new Date(t))) return new Date(t);
  }
  return undefined;
}

/** Enqueues a schedule's job for one slot unless that slot was already enqueued; returns the job id or null. */
export async function enqueueScheduled(db: Db, schedule: Schedule, slot: Date): Promise<string | null> {
  return await db.transaction(async (tx) => {
    const [run] = await tx.insert(scheduleRuns).values({ name: schedule.name, slot })
      .onConflictDoNothing().returning();
    if (!run) return null;
    const job = await enqueueJob(tx, { type: schedule.type, payload: { slot: slot.toISOString() } });
    await tx.update(scheduleRuns).set({ jobId: job.id })
      .where(and(eq(scheduleRuns.name, schedule.name), eq(scheduleRuns.slot, slot)));
    return job.id;
  });
}
