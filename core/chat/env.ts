import { z } from "zod";
import { envTypes } from "../../shared/env.ts";

/** `courseId=limit` pairs, comma-separated, for per-course daily quotas. */
const courseLimits = z.string().default("").transform((value, ctx) => {
  const out = new Map<string, number>();
  for (const pair of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [courseId, limit] = pair.split("=").map((s) => s.trim());
    const n = Number(limit);
    if (!courseId || !Number.isInteger(n) || n < 0) {
      ctx.addIssue({ code: "custom", message: `Expected courseId=limit, got "${pair}"` });
      continue;
    }
    out.set(courseId, n);
  }
  return out;
});

/** Chat quota and admission variables, spread into core's env schema. A quota of 0 means no limit. */
export const chatEnv = {
  /** Questions a student may ask per UTC day, over all their courses. */
  CHAT_DAILY_QUOTA_STUDENT: envTypes.int(200),
  /** Questions an academic may ask per UTC day. */
  CHAT_DAILY_QUOTA_ACADEMIC: envTypes.int(500),
  /** Questions an admin may ask per UTC day (0: unlimited). */
  CHAT_DAILY_QUOTA_ADMIN: envTypes.int(0),
  /** Questions all users together may ask in one course per UTC day, unless the course is listed below (0: none). */
  CHAT_COURSE_DAILY_QUOTA: envTypes.int(0),
  /** Per-course overrides of CHAT_COURSE_DAILY_QUOTA: `courseId=limit,courseId=limit`. */
  CHAT_COURSE_DAILY_QUOTAS: courseLimits,
  /** Chat turns one core process runs at once up to their first event (their database and retrieval work). */
  CHAT_TURNS_MAX: envTypes.int(64, 1),
  /** Turns that may wait for one of those; a turn beyond them is refused at once with 503 and `Retry-After`. */
  CHAT_TURN_QUEUE_MAX: envTypes.int(512, 0),
  /** The `Retry-After` (seconds) of a turn refused because the queue is full. */
  CHAT_TURN_RETRY_AFTER_SECONDS: envTypes.int(5, 1),
  /**
   * Connections of a second Postgres pool that only chat turns use for their work (the stored question, retrieval,
   * the stored answer), so other requests never queue behind chat turns for `DATABASE_POOL_MAX`'s connections;
   * 0: turns share the main pool. Not used on PGlite (one connection).
   */
  DATABASE_CHAT_POOL_MAX: envTypes.int(8, 0),
  /** A streamed turn sends an SSE comment this often while it waits or works before its next event (ms). */
  CHAT_STREAM_HEARTBEAT_MS: envTypes.int(15_000, 50),
};

const chatEnvSchema = z.object(chatEnv);

/** The parsed chat variables. */
export type ChatEnv = z.infer<typeof chatEnvSchema>;
