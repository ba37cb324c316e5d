/**
 * Queuing golden-set runs: the run row and its `golden.run` job commit together. Core's routes queue a run by hand;
 * the workers queue one after an ingestion and, at start, for every course last answered by another tutor model.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { type Db, queryRows } from "../db/client.ts";
import { goldenQuestions, goldenRuns } from "../db/schema/golden.ts";
import { enqueueJob } from "../jobs/enqueue.ts";
import type { Logger } from "../logger.ts";

type RunRow = typeof goldenRuns.$inferSelect;

/** Whether a course has live golden questions. */
export async function hasGoldenQuestions(tx: Db, courseId: string): Promise<boolean> {
  const [row] = await tx.select({ id: goldenQuestions.id }).from(goldenQuestions).where(and(
    eq(goldenQuestions.courseId, courseId),
    isNull(goldenQuestions.deletedAt),
  )).limit(1);
  return Boolean(row);
}

/**
 * Queues a run of a course's golden set (the run row and its job commit together). A run still queued for the
 * course is reused instead, so a batch of uploads evaluates the corpus once, after the last one is picked up.
 */
export async function queueGoldenRun(
  tx: Db,
  input: { courseId: string; facultyId: string; trigger: RunRow["trigger"]; requestedBy?: string | null },
): Promise<{ run: RunRow; jobId: string; reused: boolean }> {
  const [queued] = await tx.select().from(goldenRuns).where(and(
    eq(goldenRuns.courseId, input.courseId),
    eq(goldenRuns.status, "queued"),
  )).limit(1);
  if (queued?.jobId) return { run: queued, jobId: queued.jobId, reused: true };
  const [run] = await tx.insert(goldenRuns).values({
    courseId: input.courseId,
    trigger: input.trigger,
    requestedBy: input.requestedBy ?? null,
  }).returning();
  const job = await enqueueJob(tx, {
    type: "golden.run",
    payload: { runId: run.id },
    ownerUserId: input.requestedBy ?? null,
    scope: { facultyId: input.facultyId, courseId: input.courseId },
  });
  const [withJob] = await tx.update(goldenRuns).set({ jobId: job.id }).where(eq(goldenRuns.id, run.id))
    .returning();
  return { run: withJob, jobId: job.id, reused: false };
}

/**
 * Queues a run after a document of the course was (re-)indexed, when the course has golden questions; the
 * ingestion job calls this once it has swapped the new chunks in. A failure here is logged and not raised: the
 * document is indexed either way, and faculty can still start a run by hand.
 */
export async function queueGoldenRunAfterIngestion(
  db: Db,
  doc: { courseId: string; facultyId: string; uploadedBy: string | null },
  logger: Pick<Logger, "warn">,
): Promise<string | null> {
  try {
    if (!await hasGoldenQuestions(db, doc.courseId)) return null;
    return await db.transaction(async (tx) => {
      const out = await queueGoldenRun(tx as unknown as Db, {
        courseId: doc.courseId,
        facultyId: doc.facultyId,
        trigger: "ingestion",
        requestedBy: doc.uploadedBy,
      });
      return out.jobId;
    });
  } catch (err) {
    logger.warn("golden run not queued after ingestion", { courseId: doc.courseId, error: String(err) });
    return null;
  }
}

/**
 * Queues a run (trigger `model`) for every course with golden questions whose last finished run was answered by
 * another tutor model than `model`; workers call this at start, so a model change re-evaluates the sets once.
 * Courses never run before are left alone (their first ingestion or a manual run starts them).
 */
export async function queueGoldenRunsForModel(db: Db, model: string): Promise<number> {
  const stale = await queryRows<{ course_id: string; faculty_id: string }>(
    db,
    sql`select c.id as course_id, c.faculty_id from courses c
        join lateral (select r.model from golden_runs r where r.course_id = c.id and r.status = 'done'
                      and r.deleted_at is null order by r.created_at desc limit 1) last on true
        where c.deleted_at is null and last.model is distinct from ${model}
          and exists (select 1 from golden_questions q where q.course_id = c.id and q.deleted_at is null)`,
  );
  for (const row of stale) {
    await db.transaction((tx) =>
      queueGoldenRun(tx as unknown as Db, {
        courseId: row.course_id,
        facultyId: row.faculty_id,
        trigger: "model",
      })
    );
  }
  return stale.length;
}
