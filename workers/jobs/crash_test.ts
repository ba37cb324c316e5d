/**
 * The embedded queue survives a crash: a real workers process is killed with SIGKILL in the middle of a job, a new
 * one starts on the same database, and the job completes exactly once in effect (one notification).
 */
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { type Database, openPglite, openPostgres, schema } from "../../shared/db/client.ts";
import { migrateDatabase } from "../../shared/db/migrate.ts";
import { createThrowawayPostgres, freshTestDatabase, testBackends } from "../../shared/db/testing.ts";
import { insertJob, jobById, makeUser } from "./testing.ts";

/** Fills a PGlite data directory from the migrated in-memory template: far quicker than initdb on disk. */
async function seedPgliteDir(dir: string): Promise<void> {
  const template = await freshTestDatabase("pglite");
  // deno-lint-ignore no-explicit-any
  const dump = await ((template.db as any).$client as PGlite).dumpDataDir("none");
  await template.close();
  const disk = await PGlite.create({ dataDir: dir, loadDataDir: dump, extensions: { vector } });
  await disk.close();
}

const script = new URL("./testdata/worker_process.ts", import.meta.url).pathname;

/** A workers process whose JSON log lines the test can wait for. */
function startWorker(name: string, env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", script],
    env: {
      WORKERS_PORT: "0",
      WORKERS_HOSTNAME: "127.0.0.1",
      LOG_LEVEL: "info",
      JOB_LEASE_MS: "1000",
      JOB_POLL_MS: "50",
      JOB_BACKOFF_BASE_MS: "10",
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: Record<string, unknown>[] = [];
  const waiters: { test: (l: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
  const read = async (stream: ReadableStream<Uint8Array>) => {
    let buffer = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const text = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text);
        } catch {
          line = { msg: text };
        }
        lines.push(line);
        for (const w of waiters.filter((w) => w.test(line))) w.resolve();
      }
    }
  };
  const drained = Promise.all([read(child.stdout), read(child.stderr)]);
  return {
    child,
    lines,
    drained,
    waitForLine(test: (l: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<void> {
      if (lines.some(test)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`${name}: no such log line; saw:\n${lines.map((l) => JSON.stringify(l)).join("\n")}`),
            ),
          timeoutMs,
        );
        waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
        // A worker that dies on its own (bad config, crash) fails the test now, with what it printed.
        child.status.then((s) => {
          clearTimeout(timer);
          reject(
            new Error(`${name} exited (${s.code}); saw:\n${lines.map((l) => JSON.stringify(l)).join("\n")}`),
          );
        });
      });
    },
  };
}

for (const kind of testBackends) {
  Deno.test({
    name:
      `[${kind}] a worker killed mid-job (SIGKILL) leaves the job to its successor, which completes it once`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const dataDir = await Deno.makeTempDir({ prefix: "jobs-crash-" });
      const url = kind === "postgres" ? await createThrowawayPostgres() : undefined;
      if (!url) await seedPgliteDir(`${dataDir}/pglite`);
      const open = (): Promise<Database> =>
        url ? openPostgres({ url, dataDir: "", poolMax: 2 }) : openPglite(`${dataDir}/pglite`);
      // Explicit, so the child never inherits this run's DATABASE_URL (empty counts as unset) or a QStash setup.
      const env: Record<string, string> = {
        DATABASE_URL: url ?? "",
        READ_DATABASE_URL: "",
        DATA_DIR: dataDir,
        JOB_TRANSPORT: "embedded",
      };
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

        const first = startWorker("first worker", env);
        await first.waitForLine((l) => l.msg === "slow job halfway" && l.jobId === job.id);
        first.child.kill("SIGKILL");
        assert.equal((await first.child.status).signal, "SIGKILL");
        await first.drained;
        assert.ok(!first.lines.some((l) => l.msg === "job succeeded"), "the first worker finished the job");

        const second = startWorker("second worker", env);
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
