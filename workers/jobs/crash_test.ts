/**
 * The embedded queue survives a crash: a real workers process is killed with SIGKILL in the middle of a job, a new
 * one starts on the same database, and the job completes exactly once in effect (one notification).
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { schema } from "../../shared/db/client.ts";
import { migrateDatabase } from "../../shared/db/migrate.ts";
import { testBackends } from "../../shared/db/testing.ts";
import { crashTestDatabase, startWorker } from "./testdata/worker_harness.ts";
import { insertJob, jobById, makeUser } from "./testing.ts";

const script = new URL("./testdata/worker_process.ts", import.meta.url).pathname;

for (const kind of testBackends) {
  Deno.test({
    name:
      `[${kind}] a worker killed mid-job (SIGKILL) leaves the job to its successor, which completes it once`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const { dataDir, open, env: databaseEnv } = await crashTestDatabase(kind, "jobs-crash-");
      const env: Record<string, string> = { ...databaseEnv };
      try {
        let database = await open();
        await migrateDatabase(database);
        const userId = await makeUser(database);
        const job = await insertJob(database, {
          type: "test.slow_notify",
          payload: { sleepMs: 2000, notification: { userId, kind: "crash-test", title: "Once" } },
        });
        // PGlite is one process at a time: hand the data directory over to the worker.
        await database.close();

        const first = startWorker("first worker", env, script);
        await first.waitForLine((l) => l.msg === "slow job halfway" && l.jobId === job.id);
        first.child.kill("SIGKILL");
        assert.equal((await first.child.status).signal, "SIGKILL");
        await first.drained;
        assert.ok(
          !first.lines.some((l) => l.msg === "job succeeded" && l.jobId === job.id),
          "the first worker finished the job",
        );

        const second = startWorker("second worker", env, script);
        await second.waitForLine((l) => l.msg === "job succeeded" && l.jobId === job.id);
        second.child.kill("SIGTERM");
        await second.child.status;
        await second.drained;
        assert.ok(second.lines.some((l) => l.msg === "job started" && l.jobId === job.id && l.attempt === 2));

        database = await open();
        try {
          const row = await jobById(database, job.id);
          assert.equal(row.status, "succeeded");
          assert.equal(row.attempts, 2);
          const notes = await database.db.select().from(schema.notifications)
            .where(eq(schema.notifications.jobId, job.id));
          assert.equal(notes.length, 1);
          assert.equal(notes[0].title, "Once");
        } finally {
          await database.close();
        }
      } finally {
        await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      }
    },
  });
}
