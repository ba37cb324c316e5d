/**
 * Checks of the deployment configuration that can run without a Docker engine: the compose file's structure, start
 * order and variables against the tiers' env schemas; the Dockerfiles; the Prometheus config and alert rules with
 * promtool (config check, rules check and the alert unit tests); the Grafana provisioning and dashboard, whose queries
 * may only use metric names from docs/metrics-contract.md.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { parse } from "yaml";
import { coreEnvSchema } from "../core/env.ts";
import { edgeEnvSchema } from "../edge/env.ts";
import { workersEnvSchema } from "../workers/env.ts";
import { databaseEnv } from "../shared/db/env.ts";
import { metricNamesInPromQL } from "./promql_names.ts";

const DEPLOY = fileURLToPath(new URL(".", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Variables the compose file already passes that belong to features still being built on other branches (names as
 * those branches define them). Remove an entry once its schema lands; an unknown variable fails the test.
 */
const PENDING_ENV: Record<string, Record<string, string>> = {
  core: {
    VECTOR_STORE: "issue 6",
    QDRANT_URL: "issue 6",
    QDRANT_API_KEY: "issue 6",
    QDRANT_COLLECTION: "issue 6",
    QDRANT_SHARDS: "issue 6",
    QDRANT_REPLICATION: "issue 6",
    EMBEDDINGS: "issue 6",
    OPENAI_API_KEY: "issues 6, 7",
    OPENAI_BASE_URL: "issues 6, 7",
  },
  workers: {
    VECTOR_STORE: "issue 6",
    QDRANT_URL: "issue 6",
    QDRANT_API_KEY: "issue 6",
    QDRANT_COLLECTION: "issue 6",
    QDRANT_SHARDS: "issue 6",
    QDRANT_REPLICATION: "issue 6",
    EMBEDDINGS: "issue 6",
    OPENAI_API_KEY: "issues 6, 7",
    OPENAI_BASE_URL: "issues 6, 7",
    EDGE_ASSERTION_SECRET: "shared with core through one anchor; workers ignore it",
    JOB_TRANSPORT: "issue 5",
    QSTASH_URL: "issue 5",
    QSTASH_TOKEN: "issue 5",
    QSTASH_CURRENT_SIGNING_KEY: "issue 5",
    QSTASH_NEXT_SIGNING_KEY: "issue 5",
    WORKERS_PUBLIC_URL: "issue 5",
  },
  edge: {
    JWKS_URL: "issue 3",
    CORS_ORIGINS: "issue 3",
  },
  migrate: {},
};

/** Variables read by the Deno runtime itself (OpenTelemetry), not by the tiers' schemas. */
const RUNTIME_ENV = /^OTEL_/;

const SCHEMA_KEYS: Record<string, Set<string>> = {
  core: new Set(Object.keys(coreEnvSchema.shape)),
  workers: new Set(Object.keys(workersEnvSchema.shape)),
  edge: new Set(Object.keys(edgeEnvSchema.shape)),
  migrate: new Set(Object.keys(z.object(databaseEnv).shape)),
};

/** Long-running services allowed to run without a health check, and why. */
const NO_HEALTHCHECK: Record<string, string> = {
  "redis-rest": "the image ships no tools to probe with; the edge tolerates its absence",
};
/** One-shot services: they run to completion and have no health. */
const ONE_SHOT = new Set(["migrate", "backup"]);

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  profiles?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  command?: string[];
  deploy?: { replicas?: string | number };
}

const composeText = await Deno.readTextFile(`${DEPLOY}compose.yaml`);
const compose = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;

Deno.test("[deploy] every compose service has an image or a build whose Dockerfile exists", async () => {
  for (const [name, service] of Object.entries(services)) {
    assert.ok(service.image || service.build, `${name} has neither image nor build`);
    if (service.build) {
      const dockerfile = `${DEPLOY}${service.build.context}/${service.build.dockerfile}`;
      assert.ok((await Deno.stat(dockerfile)).isFile, `${name}: ${dockerfile} is missing`);
    }
    if (service.image && !service.build) {
      assert.match(service.image, /:[\w.-]+$/, `${name}: pin the image tag`);
    }
  }
});

Deno.test("[deploy] every long-running compose service has a health check", () => {
  for (const [name, service] of Object.entries(services)) {
    if (ONE_SHOT.has(name) || name in NO_HEALTHCHECK) continue;
    assert.ok(service.healthcheck?.test?.length, `${name} has no healthcheck`);
  }
});

Deno.test("[deploy] compose starts migrations first, then core and workers, then edges, then nginx", () => {
  for (const tier of ["core", "workers"]) {
    assert.equal(services[tier].depends_on?.migrate?.condition, "service_completed_successfully", tier);
  }
  assert.equal(services.migrate.depends_on?.postgres?.condition, "service_healthy");
  assert.deepEqual(services.migrate.command, ["deno", "task", "db:migrate"]);
  assert.equal(services.edge.depends_on?.core?.condition, "service_healthy");
  assert.equal(services.nginx.depends_on?.edge?.condition, "service_healthy");
  assert.equal(services.grafana.depends_on?.prometheus?.condition, "service_healthy");
  // Every dependency exists, is not behind a profile the dependant lacks, and the graph has no cycle.
  for (const [name, service] of Object.entries(services)) {
    for (const dep of Object.keys(service.depends_on ?? {})) {
      assert.ok(services[dep], `${name} depends on unknown service ${dep}`);
      const needs = services[dep].profiles ?? [];
      assert.ok(
        needs.length === 0 || needs.some((p) => service.profiles?.includes(p)),
        `${name} depends on ${dep}, which only runs with profile ${needs.join(",")}`,
      );
    }
  }
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string, path: string[]) => {
    assert.ok(!visiting.has(name), `dependency cycle: ${[...path, name].join(" -> ")}`);
    if (done.has(name)) return;
    visiting.add(name);
    for (const dep of Object.keys(services[name].depends_on ?? {})) visit(dep, [...path, name]);
    visiting.delete(name);
    done.add(name);
  };
  for (const name of Object.keys(services)) visit(name, []);
});

Deno.test("[deploy] the tiers' compose variables exist in their env schemas", () => {
  for (const tier of ["core", "workers", "edge", "migrate"]) {
    const unknown = Object.keys(services[tier].environment ?? {}).filter((key) =>
      !SCHEMA_KEYS[tier].has(key) && !RUNTIME_ENV.test(key) && !(key in PENDING_ENV[tier])
    );
    assert.deepEqual(unknown, [], `${tier}: variables no schema reads`);
  }
  assert.equal(services.core.environment?.DATABASE_PREPARE, "false", "PgBouncer transaction mode");
  assert.match(services.core.environment?.DATABASE_URL ?? "", /@pgbouncer:/);
  assert.match(
    services.migrate.environment?.DATABASE_URL ?? "",
    /@postgres:5432\//,
    "migrations bypass PgBouncer",
  );
  assert.equal(services.edge.environment?.TRUST_PROXY, "true");
  // Core and workers default to loopback: in containers each tier's address is set explicitly.
  assert.equal(services.core.environment?.CORE_HOSTNAME, "0.0.0.0");
  assert.equal(services.workers.environment?.WORKERS_HOSTNAME, "0.0.0.0");
  assert.equal(services.edge.environment?.EDGE_HOSTNAME, "0.0.0.0");
  // A directly reachable edge serves metrics only to the bearer token Prometheus reads as a compose secret.
  assert.match(services.edge.environment?.METRICS_TOKEN ?? "", /^\$\{METRICS_TOKEN:\?/);
  assert.equal(services.edge.environment?.CORE_URL, "http://core:8081");
  // Workers embed documents and generate and grade exams: they need the same model settings as core.
  for (
    const key of [
      "EMBEDDINGS",
      "OPENAI_EMBEDDING_MODEL",
      "TUTOR_MODEL",
      "OPENAI_EXAM_MODEL",
      "OPENAI_GRADING_MODEL",
    ]
  ) {
    assert.ok(services.workers.environment?.[key], `workers: ${key} is not passed`);
    assert.equal(services.workers.environment?.[key], services.core.environment?.[key], key);
  }
});

Deno.test("[deploy] every tier that uses the KV store gets the same Redis in compose", () => {
  // Revocations, token versions, login throttles and cache-scope versions are written by core and read by the edge:
  // a tier without the Upstash variables would silently fall back to a private in-process store.
  const kvKeys = ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "KV_KEY_PREFIX"];
  const kvTiers = ["core", "workers", "edge"].filter((tier) =>
    SCHEMA_KEYS[tier].has("UPSTASH_REDIS_REST_URL")
  );
  assert.deepEqual(kvTiers, ["core", "workers", "edge"], "every tier's schema reads the KV variables");
  for (const tier of kvTiers) {
    for (const key of kvKeys) {
      assert.ok(services[tier].environment?.[key], `${tier}: ${key} is not passed`);
      assert.equal(services[tier].environment?.[key], services.edge.environment?.[key], `${tier}: ${key}`);
    }
    assert.ok(
      services[tier].depends_on?.["redis-rest"],
      `${tier} does not start after the Redis REST bridge`,
    );
  }
  assert.match(services.edge.environment?.UPSTASH_REDIS_REST_URL ?? "", /^http:\/\/redis-rest:/);
});

Deno.test("[deploy] the compose values parse with the tiers' own schemas", () => {
  // Interpolate ${VAR:-default} with defaults and ${VAR:?msg} with a placeholder long enough for secrets.
  const resolve = (value: string) =>
    String(value).replace(
      /\$\{(\w+)(?::?([-?])([^}]*))?\}/g,
      (_m, _name, kind, rest) => kind === "-" ? rest : "x".repeat(40),
    );
  for (
    const [tier, schema] of [["core", coreEnvSchema], ["workers", workersEnvSchema], [
      "edge",
      edgeEnvSchema,
    ]] as const
  ) {
    const env = Object.fromEntries(
      Object.entries(services[tier].environment ?? {}).map(([k, v]) => [k, resolve(v)]),
    );
    const result = (schema as z.ZodType).safeParse(
      Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")),
    );
    assert.ok(result.success, `${tier}: ${JSON.stringify(!result.success && result.error.issues)}`);
  }
});

Deno.test("[deploy] every variable compose reads is documented in .env.example", async () => {
  const example = await Deno.readTextFile(`${DEPLOY}.env.example`);
  const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
  const referenced = new Set([...composeText.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]));
  const missing = [...referenced].filter((name) => !documented.has(name));
  assert.deepEqual(missing, []);
});

Deno.test("[deploy] the tier images run as a non-root user on the pinned Deno image, cached at build time", async () => {
  for (const tier of ["core", "workers", "edge"]) {
    const text = await Deno.readTextFile(`${DEPLOY}docker/${tier}.Dockerfile`);
    assert.match(text, /^FROM denoland\/deno:2\.9\.6$/m, tier);
    assert.match(text, /RUN deno install --frozen --entrypoint /, tier);
    assert.match(text, /^HEALTHCHECK /m, tier);
    const user = text.search(/^USER deno$/m);
    const cmd = text.search(/^CMD /m);
    assert.ok(user > 0 && user < cmd, `${tier}: USER deno must come before CMD`);
    const command = JSON.parse(text.slice(cmd + 4).trim()) as string[];
    assert.ok(command.includes("--cached-only"), `${tier}: the container must not fetch modules`);
    assert.ok(!command.includes("-A") && !command.includes("--allow-all"), `${tier}: explicit permissions`);
    assert.equal(command.at(-1), `${tier}/main.ts`);
    for (const [, source] of text.matchAll(/^COPY (\S+) /gm)) {
      await Deno.stat(`${ROOT}${source}`);
    }
  }
});

Deno.test("[deploy] nginx in compose mounts the repository's config and reaches the edges on their port", async () => {
  const mounts = services.nginx.volumes ?? [];
  for (const path of ["../nginx/nginx.conf", "../nginx/snippets", "../nginx/site"]) {
    assert.ok(mounts.some((m) => m.startsWith(`${path}:`)), `nginx does not mount ${path}`);
    await Deno.stat(`${DEPLOY}${path}`);
  }
  const upstream = await Deno.readTextFile(`${ROOT}nginx/site/upstream.conf`);
  assert.match(upstream, new RegExp(`server edge:${services.edge.environment?.EDGE_PORT} `));
});

Deno.test("[deploy] NGINX balances QStash's deliveries over every workers replica and starts after them", async () => {
  // The workers run as several replicas: a delivery URL naming the service reaches one of them per connection;
  // NGINX's upstream over the service name reaches them all (as for the edge).
  assert.ok(Number(String(services.workers.deploy?.replicas).replace(/^\$\{\w+:-(\d+)\}$/, "$1")) > 1);
  const upstream = await Deno.readTextFile(`${ROOT}nginx/site/upstream.conf`);
  const block = /upstream workers \{([^}]*)\}/.exec(upstream)?.[1] ?? "";
  assert.match(block, new RegExp(`server workers:${services.workers.environment?.WORKERS_PORT} `));
  assert.match(block, /least_conn;/);
  const locations = await Deno.readTextFile(`${ROOT}nginx/snippets/locations.conf`);
  assert.match(
    locations,
    /location ~ \^\/workers\(\/\(\?:jobs\|schedules\)\/[^{]*\{[^}]*proxy_pass http:\/\/workers\$1;/,
  );
  assert.equal(
    services.nginx.depends_on?.workers?.condition,
    "service_healthy",
    "NGINX resolves `workers` at start",
  );
  const example = await Deno.readTextFile(`${DEPLOY}.env.example`);
  assert.match(example, /^# Where QStash delivers: https:\/\/<your domain>\/workers /m);
});

Deno.test("[deploy] promtool accepts the Prometheus config and rules, and the alert unit tests pass", async () => {
  await requirePromtool();
  // promtool checks that credentials files exist: the edge's metrics token is a compose secret at run time, so a
  // copy of the config points at a stand-in file.
  const dir = await Deno.makeTempDir();
  const config = await Deno.readTextFile(`${DEPLOY}prometheus/prometheus.yml`);
  assert.match(config, /credentials_file: \/run\/secrets\/metrics_token/);
  await Deno.writeTextFile(`${dir}/metrics_token`, "stand-in-token-for-promtool");
  await Deno.writeTextFile(
    `${dir}/prometheus.yml`,
    config.replace("/run/secrets/metrics_token", `${dir}/metrics_token`),
  );
  for (const file of ["alerts.yml", "alerts_test.yml"]) {
    await Deno.copyFile(`${DEPLOY}prometheus/${file}`, `${dir}/${file}`);
  }
  try {
    for (
      const args of [["check", "config", "prometheus.yml"], ["check", "rules", "alerts.yml"], [
        "test",
        "rules",
        "alerts_test.yml",
      ]]
    ) {
      const out = await new Deno.Command("promtool", { args, cwd: dir }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, `promtool ${args.join(" ")}:\n${text}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[deploy] Prometheus scrapes every tier on the port its image listens on", async () => {
  const config = parse(await Deno.readTextFile(`${DEPLOY}prometheus/prometheus.yml`)) as {
    scrape_configs: { job_name: string; dns_sd_configs?: { names: string[]; port: number }[] }[];
  };
  for (const tier of ["edge", "core", "workers"]) {
    const job = config.scrape_configs.find((j) => j.job_name === tier);
    assert.ok(job, `no scrape job for ${tier}`);
    const dockerfile = await Deno.readTextFile(`${DEPLOY}docker/${tier}.Dockerfile`);
    const port = Number(dockerfile.match(/^EXPOSE (\d+)$/m)?.[1]);
    assert.deepEqual(job.dns_sd_configs?.[0], { names: [tier], type: "A", port, refresh_interval: "30s" });
  }
});

Deno.test("[deploy] the Grafana dashboard's panels all query the provisioned datasource with contract metrics", async () => {
  const contract = await contractMetricNames();
  const datasource = parse(
    await Deno.readTextFile(`${DEPLOY}grafana/provisioning/datasources/prometheus.yml`),
  ) as { datasources: { uid: string; url: string }[] };
  assert.equal(datasource.datasources[0].uid, "prometheus");
  assert.equal(datasource.datasources[0].url, "http://prometheus:9090");
  const provider = parse(
    await Deno.readTextFile(`${DEPLOY}grafana/provisioning/dashboards/ai-teacher.yml`),
  ) as {
    providers: { options: { path: string } }[];
  };
  assert.ok(
    services.grafana.volumes?.includes(`./grafana/dashboards:${provider.providers[0].options.path}:ro`),
    "grafana mounts the dashboards where the provider looks",
  );

  const dashboard = JSON.parse(await Deno.readTextFile(`${DEPLOY}grafana/dashboards/ai-teacher.json`));
  assert.equal(typeof dashboard.uid, "string");
  const panels = (dashboard.panels as {
    type: string;
    title: string;
    datasource?: { uid: string };
    targets?: { expr: string }[];
  }[])
    .filter((p) => p.type !== "row");
  assert.ok(panels.length >= 12);
  const used = new Set<string>();
  for (const panel of panels) {
    assert.equal(panel.datasource?.uid, "prometheus", panel.title);
    assert.ok(panel.targets?.length, `${panel.title} has no query`);
    for (const target of panel.targets) {
      for (const name of metricNamesInPromQL(target.expr)) {
        assert.ok(contract.has(name), `${panel.title}: ${name} is not in docs/metrics-contract.md`);
        used.add(name);
      }
    }
  }
  // What the issue asks the dashboard to show.
  for (
    const name of [
      "http_requests_total",
      "http_request_duration_seconds",
      "jobs",
      "jobs_oldest_queued_age_seconds",
      "job_runs_total",
      "edge_cache_requests_total",
      "edge_rate_limited_total",
      "llm_request_duration_seconds",
      "llm_tokens_total",
    ]
  ) {
    assert.ok(used.has(name), `no panel shows ${name}`);
  }
});

Deno.test("[deploy] alert rules only use contract metrics", async () => {
  const contract = await contractMetricNames();
  const rules = parse(await Deno.readTextFile(`${DEPLOY}prometheus/alerts.yml`)) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  const alerts = rules.groups.flatMap((g) => g.rules);
  for (const rule of alerts) {
    for (const name of metricNamesInPromQL(rule.expr)) {
      assert.ok(contract.has(name), `${rule.alert}: ${name} is not in docs/metrics-contract.md`);
    }
  }
  for (const name of ["HighErrorRate", "HighLatencyP95", "DatabaseConnectionsNearLimit", "DeadJobs"]) {
    assert.ok(alerts.some((a) => a.alert === name), `missing alert ${name}`);
  }
});

/** Metric names listed in the first column of docs/metrics-contract.md's tables. */
async function contractMetricNames(): Promise<Set<string>> {
  const text = await Deno.readTextFile(`${ROOT}docs/metrics-contract.md`);
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const first = line.match(/^\| (.+?) \|/)?.[1];
    if (!first) continue;
    for (const [, name] of first.matchAll(/`([a-z_:][a-z0-9_:]*)`/g)) names.add(name);
  }
  return names;
}

async function requirePromtool(): Promise<void> {
  try {
    await new Deno.Command("promtool", { args: ["--version"], stdout: "null", stderr: "null" }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(
        "promtool is not installed: run tools/ci/install_tools.sh (Debian's prometheus package)",
      );
    }
    throw err;
  }
}

Deno.test("[deploy] each tier runs with the same V8 flags from `deno task start:<tier>` and from its image", async () => {
  const tasks = (JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as { tasks: Record<string, string> })
    .tasks;
  for (const tier of ["core", "workers", "edge"]) {
    const task = tasks[`start:${tier}`].split(/\s+/).filter((a) => a.startsWith("--v8-flags="));
    const text = await Deno.readTextFile(`${DEPLOY}docker/${tier}.Dockerfile`);
    const cmd = JSON.parse(text.slice(text.search(/^CMD /m) + 4).trim()) as string[];
    assert.deepEqual(cmd.filter((a) => a.startsWith("--v8-flags=")), task, tier);
  }
  // The edge's young-generation cap (docs/load.md, "Edge memory"): bench:edge-streams and the load harness read it
  // from the task.
  assert.match(tasks["start:edge"], /--v8-flags=--max-semi-space-size=\d+/);
  // And its old-generation bound (docs/load.md, "Edge memory"): with it V8 collects at ~50 MB, without it at 100-200 MB.
  assert.match(tasks["start:edge"], /--v8-flags=\S*--max-old-space-size=\d+/);
});
