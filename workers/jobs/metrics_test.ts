import assert from "node:assert/strict";
import { freshTestDatabase, testBackends } from "../../shared/db/testing.ts";
import { createWorkersApp } from "../app.ts";
import { parseEnv } from "../../shared/env.ts";
import { jobTransportOf, loadWorkersEnv, workersEnvSchema } from "../env.ts";
import { buildWorkersServices } from "../main.ts";
import { insertJob } from "./testing.ts";

for (const kind of testBackends) {
  Deno.test(`[${kind}] [workers] GET /metrics counts jobs by type and status and the oldest queued job's age`, async () => {
    const database = await freshTestDatabase(kind);
    try {
      await insertJob(database, { type: "m.a", payload: {}, runAfter: new Date(Date.now() - 90_000) });
      await insertJob(database, { type: "m.a", payload: {} });
      await insertJob(database, { type: "m.b", payload: {}, status: "dead" });
      const services = buildWorkersServices(loadWorkersEnv({ LOG_LEVEL: "error" }), database);
      assert.equal(services.jobs.transport.kind, "embedded");
      const res = await createWorkersApp(services).request("/metrics");
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.match(text, /jobs\{type="m.a",status="queued",service="workers"\} 2/);
      assert.match(text, /jobs\{type="m.b",status="dead",service="workers"\} 1/);
      assert.match(text, /jobs\{type="m.b",status="queued",service="workers"\} 0/);
      const age = Number(text.match(/jobs_oldest_queued_age_seconds\{service="workers"\} ([\d.]+)/)?.[1]);
      assert.ok(age >= 89 && age < 300, `age ${age}`);
    } finally {
      await database.close();
    }
  });
}

Deno.test("[workers] the QStash transport needs its token, both signing keys and the public URL", () => {
  assert.throws(
    () => parseEnv(workersEnvSchema, { JOB_TRANSPORT: "qstash" }),
    /QSTASH_TOKEN.*\n.*QSTASH_CURRENT_SIGNING_KEY.*\n.*QSTASH_NEXT_SIGNING_KEY.*\n.*WORKERS_PUBLIC_URL/,
  );
  assert.equal(jobTransportOf(parseEnv(workersEnvSchema, {})), "embedded");
  const qstash = parseEnv(workersEnvSchema, {
    QSTASH_TOKEN: "t",
    QSTASH_CURRENT_SIGNING_KEY: "a",
    QSTASH_NEXT_SIGNING_KEY: "b",
    WORKERS_PUBLIC_URL: "https://workers.example.edu/",
  });
  assert.equal(jobTransportOf(qstash), "qstash");
  assert.equal(qstash.WORKERS_PUBLIC_URL, "https://workers.example.edu");
});
