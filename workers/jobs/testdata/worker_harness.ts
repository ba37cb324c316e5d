/**
 * Crash-test harness: a real workers process (a test fixture script) whose JSON log lines a test can wait for, and a
 * PGlite data directory seeded from the migrated template, so tests can SIGKILL a worker and start another.
 */
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { type Database, type DatabaseKind, openPglite, openPostgres } from "@app/shared/db/client.ts";
import { createThrowawayPostgres, freshTestDatabase } from "@app/shared/db/testing.ts";

/** Fills a PGlite data directory from the migrated in-memory template: far quicker than initdb on disk. */
export async function seedPgliteDir(dir: string): Promise<void> {
  const template = await freshTestDatabase("pglite");
  // deno-lint-ignore no-explicit-any
  const dump = await ((template.db as any).$client as PGlite).dumpDataDir("none");
  await template.close();
  const disk = await PGlite.create({ dataDir: dir, loadDataDir: dump, extensions: { vector } });
  await disk.close();
}

/** A workers process whose JSON log lines the test can wait for. */
export function startWorker(name: string, env: Record<string, string>, script: string) {
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

/**
 * A database a crash test and its worker subprocesses share: a throwaway Postgres database on the `postgres`
 * backend, else a PGlite directory seeded with the migrated template. `env` is the child's database
 * configuration, explicit so it never inherits this run's DATABASE_URL or a QStash setup.
 */
export async function crashTestDatabase(kind: DatabaseKind, prefix: string): Promise<{
  dataDir: string;
  open: () => Promise<Database>;
  env: Record<string, string>;
}> {
  const dataDir = await Deno.makeTempDir({ prefix });
  const url = kind === "postgres" ? await createThrowawayPostgres() : undefined;
  if (!url) await seedPgliteDir(`${dataDir}/pglite`);
  return {
    dataDir,
    open: () => url ? openPostgres({ url, dataDir: "", poolMax: 2 }) : openPglite(`${dataDir}/pglite`),
    env: { DATABASE_URL: url ?? "", READ_DATABASE_URL: "", DATA_DIR: dataDir, JOB_TRANSPORT: "embedded" },
  };
}
