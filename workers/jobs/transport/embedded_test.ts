import assert from "node:assert/strict";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { queryRows, schema } from "@app/shared/db/client.ts";
import { freshTestDatabase, testBackends } from "@app/shared/db/testing.ts";
import { claimDueJobs } from "../store.ts";
import { insertJob, jobById, testRunner, waitFor } from "../testing.ts";
import { EmbeddedQueue } from "./embedded.ts";

for (const kind of testBackends) {
  Deno.test(`[${kind}] the embedded queue runs every due job exactly once across two dispatchers`, async () => {
    const database = await freshTestDatabase(kind);
    try {
      const runs = new Map<string, number>();
      const registry = {
        "test.count": {
          schema: z.object({ n: z.number() }),
          run: async (ctx: { job: { id: string } }) => {
            runs.set(ctx.job.id, (runs.get(ctx.job.id) ?? 0) + 1);
            await new Promise((r) => setTimeout(r, 5));
          },
        },
      };
      const ids: string[] = [];
      for (let n = 0; n < 30; n++) {
        ids.push((await insertJob(database, { type: "test.count", payload: { n } })).id);
      }
      const queues = [0, 1].map(() =>
        new EmbeddedQueue({ runner: testRunner(database, { registry }), pollMs: 20, concurrency: 3 })
      );
      queues.forEach((q) => q.start());
      await waitFor(
        async () => {
          const [row] = await queryRows<{ n: number }>(
            database.db,
            sql`select count(*)::int as n from jobs where status = 'succeeded'`,
          );
          return row.n === 30;
        },
        20_000,
        "30 succeeded jobs",
      );
      await Promise.all(queues.map((q) => q.stop()));
      assert.equal(runs.size, 30);
      assert.ok([...runs.values()].every((n) => n === 1), "a job ran twice");
      for (const id of ids) assert.equal((await jobById(database, id)).attempts, 1);
    } finally {
      await database.close();
    }
  });

  Deno.test(`[${kind}] claiming skips rows another transaction has locked (FOR UPDATE SKIP LOCKED)`, async () => {
    const database = await freshTestDatabase(kind);
    try {
      const a = await insertJob(database, { type: "test.x", payload: {} });
      const b = await insertJob(database, { type: "test.x", payload: {} });
      if (kind === "postgres") {
        // A second connection holds a lock on `a` while this one claims: it must get only `b`, without waiting.
        let release!: () => void;
        const held = new Promise<void>((r) => release = r);
        let locked!: () => void;
        const isLocked = new Promise<void>((r) => locked = r);
        const holder = database.db.transaction(async (tx) => {
          await tx.select().from(schema.jobs).where(eq(schema.jobs.id, a.id)).for("update");
          locked();
          await held;
        });
        await isLocked;
        const claimed = await claimDueJobs(database.db, { workerId: "w", limit: 10, leaseMs: 1000 });
        release();
        await holder;
        assert.deepEqual(claimed.map((j) => j.id), [b.id]);
      } else {
        // PGlite is one connection: the same statement must parse and run there; concurrency is moot.
        const claimed = await claimDueJobs(database.db, { workerId: "w", limit: 10, leaseMs: 1000 });
        assert.deepEqual(claimed.map((j) => j.id).sort(), [a.id, b.id].sort());
      }
    } finally {
      await database.close();
    }
  });

  Deno.test(`[${kind}] a running job whose lease ran out is taken over by another worker`, async () => {
    const database = await freshTestDatabase(kind);
    try {
      const job = await insertJob(database, { type: "test.ok", payload: {} });
      const [first] = await claimDueJobs(database.db, { workerId: "dead-worker", limit: 1, leaseMs: 150 });
      assert.equal(first.id, job.id);
      // Within the lease nobody else gets it.
      assert.deepEqual(await claimDueJobs(database.db, { workerId: "other", limit: 1, leaseMs: 1000 }), []);
      await new Promise((r) => setTimeout(r, 300));
      const registry = { "test.ok": { schema: z.object({}), run: () => Promise.resolve() } };
      const queue = new EmbeddedQueue({
        runner: testRunner(database, { registry }),
        pollMs: 20,
        concurrency: 1,
      });
      queue.start();
      const done = await waitFor(
        async () => {
          const row = await jobById(database, job.id);
          return row.status === "succeeded" ? row : undefined;
        },
        5000,
        "the job to succeed",
      );
      await queue.stop();
      assert.equal(done?.attempts, 2);
      // The late worker's completion is refused: it no longer holds the job.
      const { completeJob } = await import("../store.ts");
      assert.equal(await completeJob(database.db, job.id, { workerId: "dead-worker" }), false);
    } finally {
      await database.close();
    }
  });

  Deno.test(`[${kind}] a job that is not yet due (backoff or delay) is not claimed`, async () => {
    const database = await freshTestDatabase(kind);
    try {
      await insertJob(database, { type: "t", payload: {}, runAfter: new Date(Date.now() + 60_000) });
      await insertJob(database, {
        type: "t",
        payload: {},
        status: "failed",
        runAfter: new Date(Date.now() + 60_000),
      });
      assert.deepEqual(await claimDueJobs(database.db, { workerId: "w", limit: 10, leaseMs: 1000 }), []);
    } finally {
      await database.close();
    }
  });
}
