/**
 * `deno task dev`: runs edge, core and workers on their own ports in one process, on embedded defaults.
 * Core and workers share one database handle: embedded PGlite can be opened by one process at a time, and one
 * process keeps dev to a single command with no extra moving parts (see README, "Why one process in dev").
 */
import { buildCoreServices } from "../core/main.ts";
import { createCoreApp } from "../core/app.ts";
import { loadCoreEnv } from "../core/env.ts";
import { buildEdgeServices, edgeHandler, startEdgeBackground } from "../edge/main.ts";
import { loadEdgeEnv } from "../edge/env.ts";
import { DataDirLockedError } from "../shared/db/data_dir_lock.ts";
import { openDatabase } from "../shared/db/client.ts";
import { databaseConfig } from "../shared/db/env.ts";
import { migrateDatabase } from "../shared/db/migrate.ts";
import { displayHost, startServer } from "../shared/http/serve.ts";
import { createLogger } from "../shared/logger.ts";
import { createKv } from "../shared/kv/mod.ts";
import { createWorkersApp } from "../workers/app.ts";
import { loadWorkersEnv } from "../workers/env.ts";
import { buildWorkersServices } from "../workers/main.ts";
import { reanalyzeStaleDocuments } from "../shared/rag/reanalyze.ts";
import { startUpstashBridge } from "../shared/kv/testing/upstash_bridge.ts";

// One process: edge and core share a per-run assertion secret unless one is configured.
if (!Deno.env.get("EDGE_ASSERTION_SECRET")) {
  Deno.env.set(
    "EDGE_ASSERTION_SECRET",
    btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))),
  );
}
// With REDIS_URL and no Upstash configured, serve Upstash's REST protocol over that Redis in-process, so the edge
// (and anything else built with createKv) runs on the real Upstash clients: shared limits, edge cache, revocation.
const bridge = Deno.env.get("REDIS_URL") && !Deno.env.get("UPSTASH_REDIS_REST_URL")
  ? await startUpstashBridge({ redisUrl: Deno.env.get("REDIS_URL"), token: crypto.randomUUID() })
  : undefined;
if (bridge) {
  Deno.env.set("UPSTASH_REDIS_REST_URL", bridge.url);
  Deno.env.set("UPSTASH_REDIS_REST_TOKEN", bridge.token);
}
// Mail stays in the database in dev unless SMTP_URL is set: serve the mailbox page to read it.
if (!Deno.env.get("MAIL_DEV_MAILBOX")) Deno.env.set("MAIL_DEV_MAILBOX", "true");
const workersEnv = loadWorkersEnv();
// The admin's health page asks the workers' /readyz through core.
if (!Deno.env.get("WORKERS_URL")) Deno.env.set("WORKERS_URL", `http://127.0.0.1:${workersEnv.WORKERS_PORT}`);
const coreEnv = loadCoreEnv();
const edgeEnv = loadEdgeEnv({
  ...Deno.env.toObject(),
  CORE_URL: Deno.env.get("CORE_URL") ?? `http://127.0.0.1:${coreEnv.CORE_PORT}`,
});
const log = createLogger("dev", { level: coreEnv.LOG_LEVEL });

const database = await openDatabase(databaseConfig(coreEnv)).catch((err) => {
  if (!(err instanceof DataDirLockedError)) throw err;
  console.error(err.message); // Another dev (or admin:create) holds DATA_DIR.
  Deno.exit(1);
});
await migrateDatabase(database);
log.info("database ready", {
  kind: database.kind,
  where: database.kind === "pglite" ? coreEnv.DATA_DIR : "DATABASE_URL",
});

// One key-value store for edge and core, so a logout in core revokes the token at the edge.
const kv = createKv(edgeEnv);
const core = buildCoreServices(coreEnv, database, { kv });
const workers = buildWorkersServices(workersEnv, database, { kv });
const edge = buildEdgeServices(edgeEnv, { kv });
// With the Upstash bridge, the edge's revocation mirror syncs in the background (a no-op with the in-process KV).
startEdgeBackground(edge);
// The job dispatcher (embedded queue unless QStash is configured) runs here as it does in workers/main.ts.
workers.jobs.transport.start();
workers.scheduler?.start();
// As workers/main.ts: documents indexed by an earlier keyword analyzer are re-analysed in the background.
const stopReanalysis = new AbortController();
const reanalysis = reanalyzeStaleDocuments(database, { signal: stopReanalysis.signal })
  .then((documents) => {
    if (documents > 0) log.info("keyword terms re-analysed", { documents });
  })
  .catch((err) => log.warn("keyword re-analysis stopped", { error: String(err) }));

const servers = [
  await startServer({
    name: "core",
    port: coreEnv.CORE_PORT,
    hostname: coreEnv.CORE_HOSTNAME,
    handler: createCoreApp(core).fetch,
    logger: core.logger,
  }),
  await startServer({
    name: "workers",
    port: workersEnv.WORKERS_PORT,
    hostname: workersEnv.WORKERS_HOSTNAME,
    handler: createWorkersApp(workers).fetch,
    logger: workers.logger,
  }),
  await startServer({
    name: "edge",
    port: edgeEnv.EDGE_PORT,
    hostname: edgeEnv.EDGE_HOSTNAME,
    handler: edgeHandler(edge),
    logger: edge.logger,
  }),
];

// The web app, rebuilt into WEB_DIST_DIR on every change by Vite in a child process (its dependencies stay out of
// this process); the edge serves whatever the last build wrote. WEB_APP_ENABLED=false turns the web app off.
const webBuild = edgeEnv.WEB_APP_ENABLED
  ? new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../web/build.ts", import.meta.url).pathname,
      "--watch",
      "--quiet",
      "--out-dir",
      edgeEnv.WEB_DIST_DIR,
    ],
    stdin: "null",
  }).spawn()
  : undefined;

const [c, w, e] = servers.map((s) => `http://${displayHost(s.addr.hostname)}:${s.addr.port}`);
console.log(`\nAI Teacher is running (embedded defaults unless configured):
  web app  ${e}/   ${
  webBuild ? "<- open this in a browser (rebuilt on change)" : "(off: WEB_APP_ENABLED=false)"
}
  edge     ${e}   <- clients call this (/api/v1/...)
  core     ${c}
  workers  ${w}   (jobs: ${workers.jobs.transport.kind} transport)${
  workers.mailer.kind === "database" ? `\n  mailbox  ${w}/dev/mailbox   <- mail stays here (no SMTP_URL)` : ""
}${bridge ? `\n  kv       ${bridge.url}   <- Upstash REST bridge over REDIS_URL` : ""}
Press Ctrl-C to stop.\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  log.info("stopping");
  if (webBuild) {
    try {
      webBuild.kill("SIGTERM");
    } catch { /* already gone */ }
    await webBuild.status;
  }
  await Promise.all(servers.map((s) => s.shutdown()));
  stopReanalysis.abort();
  await reanalysis;
  await workers.scheduler?.stop();
  await workers.jobs.transport.stop(workersEnv.JOB_SHUTDOWN_GRACE_MS);
  await Promise.all([workers.documents.processor.close(), core.documents.processor.close()]);
  await bridge?.close();
  await database.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
