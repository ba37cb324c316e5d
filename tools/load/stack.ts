/**
 * The production shape on one machine, for `deno task load`: edge, core and workers as separate processes (the
 * commands of `deno task start:*`), several of each behind round-robin TCP relays (what a load balancer does), a
 * throwaway database of their own on the machine's Postgres, the KV on the machine's Redis (a database index of its
 * own) through the Upstash REST bridge, and labelled fakes for what cannot run here: QStash delivering signed
 * messages to the workers, Qdrant, and a streaming model server.
 */
import { exportJWK, generateKeyPair } from "jose";
import postgres from "postgres";
import { Redis as IoRedis } from "ioredis";
import { createAcademicWorld } from "../../core/academics/testing.ts";
import { createTestUsers } from "../../core/testing.ts";
import { createKeyRing } from "../../core/auth/keys.ts";
import { signAccessToken } from "../../core/auth/tokens.ts";
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from "../../shared/access_token.ts";
import { type Database, openPostgres } from "../../shared/db/client.ts";
import { migrateDatabase } from "../../shared/db/migrate.ts";
import { enrollments } from "../../shared/db/schema/academics.ts";
import type { Role } from "../../shared/identity.ts";
import { startFakeQdrant } from "../../shared/rag/testing/fake_qdrant.ts";
import { startFakeQStash } from "../../workers/jobs/testdata/fake_qstash.ts";
import { freePort } from "../../shared/testing/ports.ts";
import { TcpProxy } from "../../shared/testing/tcp_proxy.ts";
import { startFakeModel } from "./fake_model.ts";
import { RoundRobinProxy } from "./round_robin.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

/** How big a stack to start. */
export interface StackOptions {
  edges: number;
  cores: number;
  workers: number;
  /** Signed-in users created for the workload. */
  students: number;
  academics: number;
  /** Postgres server URL; a database of the stack's own is created on it and dropped at the end. */
  postgresUrl: string;
  /** Redis server URL; the stack uses database `redisDb` on it and deletes only its own keys at the end. */
  redisUrl: string;
  redisDb: number;
  /**
   * Start a redis-server of the stack's own on a free port (no persistence) instead of using `redisUrl`'s server:
   * the Redis-restart fault restarts it. `redisServer` is its command (default `redis-server`).
   */
  ownRedis?: boolean;
  redisServer?: string;
  logLevel: string;
  /** Where the processes' logs go. */
  logDir: string;
  /** Extra variables for the core processes (`--core-env`), over the harness's own: e.g. `CHAT_TURNS_MAX`. */
  coreEnv?: Record<string, string>;
}

/** One tier process. */
export interface TierProcess {
  tier: "edge" | "core" | "workers";
  name: string;
  url: string;
  port: number;
  child: Deno.ChildProcess;
  /** Kills the process with a signal and waits for it. */
  kill(signal?: Deno.Signal): Promise<void>;
  /** Starts it again on the same port with the same configuration. */
  restart(): Promise<void>;
}

/** A user of the workload with a fresh access token. */
export interface LoadUser {
  id: string;
  role: Role;
  authorization: string;
}

/** The running stack. */
export interface Stack {
  processes: TierProcess[];
  /** The edges' URLs (clients call these). */
  edgeUrls: string[];
  database: Database;
  databaseName: string;
  courseId: string;
  admin: LoadUser;
  students: LoadUser[];
  academics: LoadUser[];
  /** Relays the faults cut: the tiers reach Postgres, and the bridge reaches Redis, only through these. */
  postgresProxy: TcpProxy;
  redisProxy: TcpProxy;
  /** The redis-server the stack started (`ownRedis`), to restart; absent on the machine's Redis. */
  ownRedis?: OwnRedis;
  /** Bearer token of the edges' `/metrics`. */
  metricsToken: string;
  fakes: {
    qstash: Awaited<ReturnType<typeof startFakeQStash>>;
    qdrant: ReturnType<typeof startFakeQdrant>;
    model: ReturnType<typeof startFakeModel>;
  };
  stop(): Promise<void>;
}

/** A redis-server of the stack's own. */
export interface OwnRedis {
  port: number;
  /** Stops the server: `SHUTDOWN NOSAVE` (or SIGKILL with `kill`), and waits for the process to end. */
  stop(how?: "shutdown" | "kill"): Promise<void>;
  /** Starts it again on the same port (empty: nothing was persisted) and waits until it answers PING. */
  start(): Promise<void>;
  /** Removes its working directory (after the last stop). */
  remove(): Promise<void>;
}

/** Starts a redis-server on a free port with no persistence; its output goes to `logDir/redis-server.log`. */
async function startOwnRedis(command: string, logDir: string): Promise<OwnRedis> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "load-redis-" });
  let child: Deno.ChildProcess | undefined;
  const ping = async (): Promise<boolean> => {
    const redis = new IoRedis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0 });
    redis.on("error", () => {}); // Refused while it starts: the answer is `false`.
    try {
      await redis.connect();
      return (await redis.ping()) === "PONG";
    } catch {
      return false;
    } finally {
      redis.disconnect();
    }
  };
  const own: OwnRedis = {
    port,
    async start() {
      const log = await Deno.open(`${logDir}/redis-server.log`, { write: true, create: true, append: true });
      child = new Deno.Command(command, {
        args: [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--appendonly",
          "no",
          "--dir",
          dir,
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      child.stdout.pipeTo(log.writable).catch(() => {});
      child.stderr.pipeTo(new WritableStream()).catch(() => {});
      const deadline = Date.now() + 15_000;
      while (!(await ping())) {
        if (Date.now() > deadline) throw new Error(`${command} did not answer on port ${port}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop(how = "shutdown") {
      if (!child) return;
      const running = child;
      child = undefined;
      if (how === "kill") running.kill("SIGKILL");
      else {
        const redis = new IoRedis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0 });
        await redis.call("SHUTDOWN", "NOSAVE").catch(() => {});
        redis.disconnect();
      }
      await running.status;
    },
    remove: () => Deno.remove(dir, { recursive: true }).catch(() => {}),
  };
  await own.start();
  return own;
}

/** Polls `url` until it answers 2xx, or throws after `timeoutMs`. */
async function waitReady(url: string, timeoutMs: number, name: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      last = `${res.status} ${await res.text()}`;
      if (res.ok) return;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} was not ready within ${timeoutMs} ms: ${last.slice(0, 300)}`);
}

/** The `--v8-flags=…` of a tier's `deno task start:<tier>` in deno.json (the edge's young-generation cap), if any. */
export const V8_FLAGS: Record<TierProcess["tier"], string | undefined> = (() => {
  const tasks =
    (JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)) as { tasks: Record<string, string> }).tasks;
  const flagsOf = (tier: string) => /(--v8-flags=\S+)/.exec(tasks[`start:${tier}`] ?? "")?.[1];
  return { edge: flagsOf("edge"), core: flagsOf("core"), workers: flagsOf("workers") };
})();

/** Starts one tier process (`deno run -A <tier>/main.ts` with the V8 flags of `deno task start:<tier>`), logs to a file. */
async function startTier(
  tier: TierProcess["tier"],
  index: number,
  env: Record<string, string>,
  logDir: string,
  port = freePort(),
): Promise<TierProcess> {
  const portVar = { edge: "EDGE_PORT", core: "CORE_PORT", workers: "WORKERS_PORT" }[tier];
  const name = `${tier}-${index + 1}`;
  const spawn = async () => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ...(V8_FLAGS[tier] ? [V8_FLAGS[tier]] : []), `${ROOT}${tier}/main.ts`],
      cwd: ROOT,
      env: { ...env, [portVar]: String(port) },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const log = await Deno.open(`${logDir}/${name}.log`, { write: true, create: true, append: true });
    const err = await Deno.open(`${logDir}/${name}.err.log`, { write: true, create: true, append: true });
    child.stdout.pipeTo(log.writable).catch(() => {});
    child.stderr.pipeTo(err.writable).catch(() => {});
    return child;
  };
  const process: TierProcess = {
    tier,
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    child: await spawn(),
    async kill(signal: Deno.Signal = "SIGTERM") {
      try {
        process.child.kill(signal);
      } catch { /* already gone */ }
      await process.child.status;
    },
    async restart() {
      process.child = await spawn();
      await waitReady(`${process.url}/healthz`, 60_000, name);
    },
  };
  return process;
}

/** Starts the Upstash REST bridge (shared/kv/testing/upstash_bridge.ts) as a process and waits until it answers. */
async function startBridgeProcess(
  redisUrl: string,
  logDir: string,
): Promise<{ url: string; token: string; close(): Promise<void> }> {
  const port = freePort();
  const token = crypto.randomUUID();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}shared/kv/testing/upstash_bridge.ts`],
    cwd: ROOT,
    env: { REDIS_URL: redisUrl, UPSTASH_BRIDGE_TOKEN: token, UPSTASH_BRIDGE_PORT: String(port) },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const err = await Deno.open(`${logDir}/upstash-bridge.err.log`, {
    write: true,
    create: true,
    append: true,
  });
  child.stderr.pipeTo(err.writable).catch(() => {});
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify(["PING"]),
      });
      await res.body?.cancel();
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("the Upstash bridge did not start");
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    token,
    close: async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
    },
  };
}

/** Creates the database, the fakes and the processes, and waits until every process is ready. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error(`cleanup: ${err instanceof Error ? err.message : err}`);
      }
    }
  };
  try {
    // The database: created here, migrated once (the tiers do not migrate on start, as in production), dropped at the end.
    const databaseName = `load_${crypto.randomUUID().slice(0, 8)}`;
    const admin = postgres(options.postgresUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${databaseName}`);
    cleanups.push(async () => {
      await admin.unsafe(`drop database if exists ${databaseName} with (force)`);
      await admin.end();
    });
    const dbUrl = new URL(options.postgresUrl);
    dbUrl.pathname = `/${databaseName}`;
    const databaseUrl = dbUrl.toString();
    const postgresProxy = new TcpProxy({ hostname: dbUrl.hostname, port: Number(dbUrl.port || 5432) });
    cleanups.push(() => Promise.resolve(postgresProxy.close()));
    const tierDbUrl = new URL(databaseUrl);
    tierDbUrl.hostname = "127.0.0.1";
    tierDbUrl.port = String(postgresProxy.port);
    const database = await openPostgres({ url: databaseUrl, dataDir: "", poolMax: 4 });
    cleanups.push(() => database.close());
    await migrateDatabase(database);

    // The workload's people: one course, its students enrolled, academics of its faculty, an admin.
    const world = await createAcademicWorld(database);
    const students = await createTestUsers(
      database,
      Array.from({ length: options.students }, () => ({ role: "STUDENT" })),
    );
    const academics = await createTestUsers(
      database,
      Array.from({ length: options.academics }, () => ({ role: "ACADEMIC", facultyId: world.facultyA })),
    );
    if (students.length > 0) {
      await database.db.insert(enrollments).values(
        students.map((s) => ({ userId: s.id, courseId: world.courseA, role: "student" as const })),
      );
    }

    // The KV: the machine's Redis, a database index of the stack's own, keys under a prefix of its own; or a
    // redis-server of the stack's own (`ownRedis`), which the Redis-restart fault restarts.
    let ownRedis: OwnRedis | undefined;
    if (options.ownRedis) {
      const started = await startOwnRedis(options.redisServer ?? "redis-server", options.logDir);
      ownRedis = started;
      cleanups.push(async () => {
        await started.stop("kill");
        await started.remove();
      });
    }
    const machineRedis = new URL(ownRedis ? `redis://127.0.0.1:${ownRedis.port}` : options.redisUrl);
    const redisProxy = new TcpProxy({
      hostname: machineRedis.hostname,
      port: Number(machineRedis.port || 6379),
    });
    cleanups.push(() => Promise.resolve(redisProxy.close()));
    const redisUrl = new URL(machineRedis);
    redisUrl.pathname = `/${options.redisDb}`;
    const bridgeRedisUrl = new URL(redisUrl);
    bridgeRedisUrl.hostname = "127.0.0.1";
    bridgeRedisUrl.port = String(redisProxy.port);
    // In a process of its own, as Upstash is a service of its own: sharing the harness's event loop (thousands of
    // streaming clients) made KV calls time out, which the tiers rightly answer with 503.
    const bridge = await startBridgeProcess(bridgeRedisUrl.toString(), options.logDir);
    const keyPrefix = `load:${crypto.randomUUID().slice(0, 8)}:`;
    cleanups.push(() => bridge.close());
    cleanups.push(async () => {
      if (ownRedis) return; // Its server goes with it.
      const redis = new IoRedis(redisUrl.toString(), { maxRetriesPerRequest: 1 });
      try {
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${keyPrefix}*`, "COUNT", 500);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== "0");
      } finally {
        redis.disconnect();
      }
    });

    // The labelled fakes.
    // QStash's own retry delays (e^(2.5 n) s), capped at 30 s so a bounded run sees a retried job finish.
    const qstash = await startFakeQStash({ retryDelayMs: (n) => Math.min(30_000, Math.exp(2.5 * n) * 1000) });
    cleanups.push(() => qstash.close());
    const qdrantKey = crypto.randomUUID();
    const qdrant = startFakeQdrant({ apiKey: qdrantKey });
    cleanups.push(() => qdrant.close());
    const model = startFakeModel();
    cleanups.push(() => model.close());

    // Shared secrets and the access-token signing key every core holds.
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const signingKeys = JSON.stringify([{ ...(await exportJWK(privateKey)), kid: "load-1" }]);
    const dataDir = await Deno.makeTempDir({ prefix: "load-data-" });
    cleanups.push(() => Deno.remove(dataDir, { recursive: true }));

    // Round-robin relays in front of the cores and the workers, as a load balancer would be.
    const coreRelay = new RoundRobinProxy();
    const workersRelay = new RoundRobinProxy();
    cleanups.push(() => Promise.resolve(coreRelay.close()));
    cleanups.push(() => Promise.resolve(workersRelay.close()));
    const edgePorts = Array.from({ length: options.edges }, () => freePort());
    const metricsToken = crypto.randomUUID();

    const common: Record<string, string> = {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "",
      DENO_DIR: Deno.env.get("DENO_DIR") ?? "",
      LOG_LEVEL: options.logLevel,
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: bridge.token,
      KV_KEY_PREFIX: keyPrefix,
      EDGE_ASSERTION_SECRET: crypto.randomUUID() + crypto.randomUUID(),
    };
    if (!common.DENO_DIR) delete common.DENO_DIR;
    const backend: Record<string, string> = {
      ...common,
      DATABASE_URL: tierDbUrl.toString(),
      DATABASE_POOL_MAX: "10",
      MIGRATE_ON_START: "false",
      DATA_DIR: dataDir,
      JWT_SIGNING_KEYS: signingKeys,
      UPLOAD_SIGNING_SECRET: crypto.randomUUID() + crypto.randomUUID(),
      UPLOAD_BASE_URL: `http://127.0.0.1:${edgePorts[0]}/api/v1/uploads`,
      VECTOR_STORE: "qdrant",
      QDRANT_URL: qdrant.url,
      QDRANT_API_KEY: qdrantKey,
      QDRANT_COLLECTION: "load_chunks",
      EMBEDDINGS: "openai",
      OPENAI_BASE_URL: model.baseUrl,
      OPENAI_API_KEY: "fake",
      OPENAI_EMBEDDING_DIMENSIONS: "256",
      TUTOR_MODEL: "openai",
      // The workload asks many questions per student: the daily quota is not what is measured.
      CHAT_DAILY_QUOTA_STUDENT: "1000000",
    };
    const processes: TierProcess[] = [];
    cleanups.push(() => Promise.all(processes.map((p) => p.kill("SIGTERM"))));
    for (let i = 0; i < options.cores; i++) {
      processes.push(await startTier("core", i, { ...backend, ...options.coreEnv }, options.logDir));
    }
    for (let i = 0; i < options.workers; i++) {
      processes.push(
        await startTier("workers", i, {
          ...backend,
          JOB_TRANSPORT: "qstash",
          QSTASH_URL: qstash.url,
          QSTASH_TOKEN: qstash.token,
          QSTASH_CURRENT_SIGNING_KEY: qstash.currentSigningKey,
          QSTASH_NEXT_SIGNING_KEY: qstash.nextSigningKey,
          WORKERS_PUBLIC_URL: workersRelay.url,
          SCHEDULER: "off",
          // A killed worker's job is taken over once its lease runs out; shorter than the 60 s default so QStash's
          // retries (12 s, then 30 s here) find it free within a bounded run.
          JOB_LEASE_MS: "15000",
        }, options.logDir),
      );
    }
    coreRelay.targets = processes.filter((p) => p.tier === "core").map((p) => p.port);
    workersRelay.targets = processes.filter((p) => p.tier === "workers").map((p) => p.port);
    for (let i = 0; i < options.edges; i++) {
      const edge = await startTier(
        "edge",
        i,
        {
          ...common,
          CORE_URL: coreRelay.url,
          WEB_APP_ENABLED: "false",
          METRICS_TOKEN: metricsToken,
          // Every client of the workload comes from 127.0.0.1: the per-IP limit would count them as one.
          RATE_LIMIT_IP: "1000000/1m",
          // A synthetic user asks far more often than a person: the limits are raised so the run measures capacity
          // (they are tested on their own in edge/ratelimit).
          RATE_LIMIT_USER: "1000000/1m",
          RATE_LIMITS: "chat=1000000/1m,ai=1000000/1m,search=1000000/1m,upload=1000000/1m",
        },
        options.logDir,
        edgePorts[i],
      );
      processes.push(edge);
    }
    const edges = processes.filter((p) => p.tier === "edge");
    await Promise.all(processes.map((p) => waitReady(`${p.url}/readyz`, 90_000, p.name)));

    const keys = createKeyRing({
      configuredKeys: signingKeys,
      rotationMs: 86_400_000,
      tokenTtlMs: 3_600_000,
    });
    const tokenConfig = {
      keys,
      issuer: ACCESS_TOKEN_ISSUER,
      audience: ACCESS_TOKEN_AUDIENCE,
      accessTtlSeconds: 3600,
      refreshTtlSeconds: 3600,
    };
    const userOf = async (u: { id: string; role: Role }): Promise<LoadUser> => {
      const { token } = await signAccessToken(tokenConfig, { userId: u.id, role: u.role, mfa: true });
      return { id: u.id, role: u.role, authorization: `Bearer ${token}` };
    };
    return {
      processes,
      edgeUrls: edges.map((e) => e.url),
      database,
      databaseName,
      courseId: world.courseA,
      admin: await userOf(world.admin),
      students: await Promise.all(students.map(userOf)),
      academics: await Promise.all(academics.map(userOf)),
      postgresProxy,
      redisProxy,
      ownRedis,
      metricsToken,
      fakes: { qstash, qdrant, model },
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
