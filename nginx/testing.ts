/**
 * Test support for the NGINX end-to-end test: renders the production config into a temp directory (only listen
 * ports, the edge and workers upstream servers and a self-signed certificate change), runs `nginx -t`/`-T`, and
 * can start the real system (`tools/dev.ts` plus a second edge process) with a real nginx in front, optionally
 * with a first admin made by `deno task admin:create` beforehand.
 */
import { fileURLToPath } from "node:url";

const NGINX_DIR = fileURLToPath(new URL(".", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The bearer token the test system's edges expect on `/metrics`. */
export const TEST_METRICS_TOKEN = `metrics-${crypto.randomUUID()}`;

const PRODUCTION_UPSTREAM_SERVER = "server edge:8080 max_fails=3 fail_timeout=10s;";
const PRODUCTION_WORKERS_SERVER = "server workers:8082 max_fails=3 fail_timeout=10s;";

/** What the end-to-end test drives. */
export interface NginxTestEnvironment {
  /** `nginx -t` (or `-T`, which also prints the effective config) on the rendered config. */
  nginxCheck(options?: { dump?: boolean }): Promise<{ code: number; output: string }>;
  /** A request to nginx's HTTPS server, trusting the throwaway certificate. */
  https(path: string, init?: RequestInit): Promise<Response>;
  /** A request to nginx's plain HTTP server. */
  http(path: string, init?: RequestInit): Promise<Response>;
  /** nginx's HTTPS origin, as the system's upload URLs name it. */
  httpsOrigin: string;
  /** Direct URLs of the edge replicas and of core (bypassing nginx). */
  edgeUrls: string[];
  coreUrl: string;
  /** JSON log lines written so far by the system's processes. */
  systemLog(): Record<string, unknown>[];
  cleanup(): Promise<void>;
}

/** Options: `startSystem` runs core, workers and two edges plus nginx; otherwise only the config is rendered. */
export interface NginxTestOptions {
  startSystem?: boolean;
  /** Upstream servers when the system is not started (nginx -t needs resolvable addresses). */
  edges?: string[];
  /** The workers upstream's servers (QStash's deliveries); default a closed port. */
  workers?: string[];
  /** Start nginx in front of `edges` and `workers` without starting the system. */
  startNginx?: boolean;
  httpPort?: number;
  httpsPort?: number;
  /** A first admin, created with `deno task admin:create` in the system's DATA_DIR before it starts. */
  admin?: { email: string; password: string };
  /** Extra configuration for core and workers (the `tools/dev.ts` process), e.g. the tutor model. */
  systemEnv?: Record<string, string>;
}

/** Fails with the install hint when nginx is missing: this test must never be skipped silently. */
export async function requireNginx(): Promise<void> {
  try {
    const { success } = await new Deno.Command("nginx", { args: ["-v"], stderr: "null", stdout: "null" })
      .output();
    if (success) return;
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  throw new Error(
    "nginx is not installed: run tools/ci/install_nginx.sh (Debian's nginx-light) and test again",
  );
}

/** A port that was free a moment ago (nginx cannot be given port 0). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Renders the config (and, if asked, starts the system and nginx) in a fresh temp directory. */
export async function nginxTestEnvironment(options: NginxTestOptions): Promise<NginxTestEnvironment> {
  await requireNginx();
  const dir = await Deno.makeTempDir({ prefix: "ai-teacher-nginx-" });
  // nginx's workers drop to an unprivileged user when the test runs as root: they must reach the temp files.
  await Deno.chmod(dir, 0o755);
  const processes: Spawned[] = [];
  let client: Deno.HttpClient | undefined;
  const cleanup = async () => {
    for (const p of processes.reverse()) await p.stop();
    client?.close();
    await Deno.remove(dir, { recursive: true });
  };
  try {
    const httpPort = options.httpPort ?? freePort();
    const httpsPort = options.httpsPort ?? freePort();
    let edgeUrls: string[] = [];
    let coreUrl = "";
    let system: Spawned | undefined;
    const httpsOrigin = `https://127.0.0.1:${httpsPort}`;
    if (options.startSystem) {
      // PGlite is opened by one process at a time: the admin is written before the system opens the directory.
      if (options.admin) await createAdmin(`${dir}/data`, options.admin);
      const started = await startSystem(`${dir}/data`, {
        ...options.systemEnv,
        UPLOAD_BASE_URL: `${httpsOrigin}/api/v1/uploads`,
      });
      processes.push(...started.processes);
      edgeUrls = started.edgeUrls;
      coreUrl = started.coreUrl;
      system = started.processes[0];
    }
    const edges = options.startSystem ? edgeUrls.map((u) => new URL(u).host) : options.edges ?? [];
    const workers = options.workers ?? ["127.0.0.1:9"];
    const conf = await renderConfig(dir, { httpPort, httpsPort, edges, workers });
    const check = async ({ dump = false } = {}) => {
      const out = await new Deno.Command("nginx", {
        args: [dump ? "-T" : "-t", "-p", `${dir}/`, "-c", conf, "-e", "stderr"],
      }).output();
      const decoder = new TextDecoder();
      return { code: out.code, output: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
    };
    if (options.startSystem || options.startNginx) {
      const nginx = spawn("nginx", ["-p", `${dir}/`, "-c", conf, "-e", "stderr", "-g", "daemon off;"], {
        stopSignal: "SIGQUIT",
      });
      processes.push(nginx);
      await waitUntilAnswers(`http://127.0.0.1:${httpPort}/healthz`, nginx);
    }
    client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(`${dir}/tls/fullchain.pem`)] });
    const httpClient = client;
    return {
      nginxCheck: check,
      https: (path, init) => fetch(`${httpsOrigin}${path}`, { ...init, client: httpClient }),
      http: (path, init) => fetch(`http://127.0.0.1:${httpPort}${path}`, init),
      httpsOrigin,
      edgeUrls,
      coreUrl,
      systemLog: () => system?.jsonLines() ?? [],
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Copies nginx.conf and its includes into `dir`, swapping listen ports, upstream servers and certificates. */
async function renderConfig(
  dir: string,
  options: { httpPort: number; httpsPort: number; edges: string[]; workers: string[] },
): Promise<string> {
  for (const sub of ["snippets", "site", "tls"]) await Deno.mkdir(`${dir}/${sub}`, { recursive: true });
  for (const sub of ["snippets", "site"]) {
    for await (const entry of Deno.readDir(`${NGINX_DIR}${sub}`)) {
      await Deno.copyFile(`${NGINX_DIR}${sub}/${entry.name}`, `${dir}/${sub}/${entry.name}`);
    }
  }
  const main = replaceOnce(
    replaceOnce(
      await Deno.readTextFile(`${NGINX_DIR}nginx.conf`),
      "listen 8080 ",
      `listen 127.0.0.1:${options.httpPort} `,
    ),
    "listen 8443 ",
    `listen 127.0.0.1:${options.httpsPort} `,
  );
  await Deno.writeTextFile(`${dir}/nginx.conf`, main);
  const upstream = await Deno.readTextFile(`${NGINX_DIR}site/upstream.conf`);
  const servers = options.edges.map((e) => PRODUCTION_UPSTREAM_SERVER.replace("edge:8080", e)).join("\n  ");
  const workers = options.workers.map((w) => PRODUCTION_WORKERS_SERVER.replace("workers:8082", w))
    .join("\n  ");
  await Deno.writeTextFile(
    `${dir}/site/upstream.conf`,
    replaceOnce(
      replaceOnce(upstream, PRODUCTION_UPSTREAM_SERVER, servers),
      PRODUCTION_WORKERS_SERVER,
      workers,
    ),
  );
  const openssl = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      // A CA certificate presented by a server is refused by rustls (Deno's TLS): mark it an end-entity one.
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-keyout",
      `${dir}/tls/privkey.pem`,
      "-out",
      `${dir}/tls/fullchain.pem`,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!openssl.success) throw new Error(`openssl failed: ${new TextDecoder().decode(openssl.stderr)}`);
  return `${dir}/nginx.conf`;
}

function replaceOnce(text: string, search: string, replacement: string): string {
  const count = text.split(search).length - 1;
  if (count !== 1) {
    throw new Error(`expected "${search}" exactly once in the production config, found ${count}`);
  }
  return text.replace(search, replacement);
}

/**
 * Starts the system, choosing new ports when one picked as free was taken by another process before our servers
 * bound it (the gap between probing a port and listening on it cannot be closed from outside the process).
 */
async function startSystem(
  dataDir: string,
  systemEnv: Record<string, string>,
): Promise<{ processes: Spawned[]; edgeUrls: string[]; coreUrl: string }> {
  for (let attempt = 1;; attempt++) {
    try {
      return await startSystemOnce(dataDir, systemEnv);
    } catch (err) {
      if (attempt >= 3 || !String(err).includes("AddrInUse")) throw err;
    }
  }
}

/** Embedded PGlite even when the suite runs with DATABASE_URL set (empty counts as unset). */
const EMBEDDED_DATABASE = { DATABASE_URL: "", READ_DATABASE_URL: "" };

/** `deno task admin:create` on the system's DATA_DIR, the password on standard input as an operator would. */
async function createAdmin(dataDir: string, admin: { email: string; password: string }): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "admin:create", "--email", admin.email],
    cwd: REPO_ROOT,
    env: { ...EMBEDDED_DATABASE, DATA_DIR: dataDir, LOG_LEVEL: "warn" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(`${admin.password}\n`));
  await writer.close();
  const out = await child.output();
  const decoder = new TextDecoder();
  if (!out.success) {
    throw new Error(`admin:create failed:\n${decoder.decode(out.stdout)}${decoder.decode(out.stderr)}`);
  }
}

/** Starts `tools/dev.ts` (core, workers, edge A on PGlite) and a second edge process (edge B). */
async function startSystemOnce(
  dataDir: string,
  systemEnv: Record<string, string>,
): Promise<{ processes: Spawned[]; edgeUrls: string[]; coreUrl: string }> {
  const [corePort, workersPort, edgeA, edgeB] = [freePort(), freePort(), freePort(), freePort()];
  const secret = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  const coreUrl = `http://127.0.0.1:${corePort}`;
  const common = {
    EDGE_ASSERTION_SECRET: secret,
    CORE_URL: coreUrl,
    TRUST_PROXY: "true",
    // The edges serve /metrics only to this bearer token (read by the tests straight from each edge).
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    LOG_LEVEL: "info",
    // With REDIS_URL set, dev.ts serves the key-value store from that Redis: keep this run's counters, limits and
    // caches apart from any other process sharing it.
    KV_KEY_PREFIX: `nginx-e2e-${crypto.randomUUID()}:`,
    // Both edges serve the web app that dev.ts builds (and rebuilds) into this run's own folder.
    WEB_DIST_DIR: `${dataDir}/web`,
    ...EMBEDDED_DATABASE,
  };
  const dev = spawn(Deno.execPath(), ["run", "-A", "tools/dev.ts"], {
    env: {
      ...common,
      ...systemEnv,
      DATA_DIR: dataDir,
      CORE_PORT: String(corePort),
      CORE_HOSTNAME: "127.0.0.1",
      WORKERS_PORT: String(workersPort),
      WORKERS_HOSTNAME: "127.0.0.1",
      EDGE_PORT: String(edgeA),
      EDGE_HOSTNAME: "127.0.0.1",
    },
  });
  const second = spawn(Deno.execPath(), ["run", "-A", "edge/main.ts"], {
    env: { ...common, EDGE_PORT: String(edgeB), EDGE_HOSTNAME: "127.0.0.1" },
  });
  const edgeUrls = [`http://127.0.0.1:${edgeA}`, `http://127.0.0.1:${edgeB}`];
  try {
    await waitUntilAnswers(`${edgeUrls[0]}/readyz`, dev, 90_000);
    await waitUntilAnswers(`${edgeUrls[1]}/readyz`, second, 90_000);
  } catch (err) {
    await second.stop();
    await dev.stop();
    throw err;
  }
  return { processes: [dev, second], edgeUrls, coreUrl };
}

/** A child process whose output is collected for diagnostics. */
interface Spawned {
  exited(): boolean;
  output(): string;
  jsonLines(): Record<string, unknown>[];
  stop(): Promise<void>;
}

function spawn(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; stopSignal?: Deno.Signal } = {},
): Spawned {
  const child = new Deno.Command(command, {
    args,
    cwd: REPO_ROOT,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  let done = false;
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) text += chunk;
  };
  const readers = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const status = child.status.finally(() => done = true);
  return {
    exited: () => done,
    output: () => text,
    jsonLines: () =>
      text.split("\n").flatMap((line) => {
        if (!line.startsWith("{")) return [];
        try {
          return [JSON.parse(line)];
        } catch {
          return [];
        }
      }),
    stop: async () => {
      if (!done) {
        try {
          child.kill(options.stopSignal ?? "SIGTERM");
        } catch { /* already gone */ }
        const timer = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch { /* already gone */ }
        }, 10_000);
        await status;
        clearTimeout(timer);
      }
      await readers;
    },
  };
}

/** Polls `url` until it answers 200, failing early with the process's output when it exits. */
async function waitUntilAnswers(url: string, process: Spawned, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (process.exited()) throw new Error(`process exited before ${url} answered:\n${process.output()}`);
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${ms} ms:\n${process.output()}`);
}
