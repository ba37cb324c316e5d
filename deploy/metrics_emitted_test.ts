/**
 * Every metric a Grafana panel (deploy/grafana) or an alert rule (deploy/prometheus) reads is exported by some tier,
 * and the model, retrieval and chat metrics are emitted when their paths run: a dashboard or alert on a name nobody
 * emits shows "no data" and never fires.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { createAcademicWorld } from "../core/academics/testing.ts";
import { instrumentTutorModel } from "../shared/tutor/model/instrumented.ts";
import type { TutorModel } from "../shared/tutor/model/interface.ts";
import { complete } from "../shared/tutor/model/interface.ts";
import { createTestStack } from "../testing/stack.ts";
import { createDocumentServices } from "../shared/documents/services.ts";
import { dbTest } from "../shared/db/testing.ts";
import { AppError, ErrorCode } from "../shared/errors.ts";
import { createHashEmbedder } from "../shared/rag/testing/hash_embedder.ts";
import type { VectorStore } from "../shared/rag/vector/interface.ts";
import { testCoreEnv } from "../core/auth/testing.ts";
import { loadWorkersEnv } from "../workers/env.ts";
import { buildWorkersServices } from "../workers/main.ts";
import { metricNamesInPromQL } from "./promql_names.ts";

const DEPLOY = new URL(".", import.meta.url);

/** Metric names the dashboards and alert rules read, minus those exporters provide (contract: "From exporters"). */
async function namesOperatorsRead(): Promise<Set<string>> {
  const names = new Set<string>();
  for await (const entry of Deno.readDir(new URL("grafana/dashboards/", DEPLOY))) {
    if (!entry.name.endsWith(".json")) continue;
    const dashboard = JSON.parse(
      await Deno.readTextFile(new URL(`grafana/dashboards/${entry.name}`, DEPLOY)),
    );
    for (const panel of dashboard.panels as { targets?: { expr: string }[] }[]) {
      for (const target of panel.targets ?? []) {
        for (const n of metricNamesInPromQL(target.expr)) names.add(n);
      }
    }
  }
  const rules = parse(await Deno.readTextFile(new URL("prometheus/alerts.yml", DEPLOY))) as {
    groups: { rules: { expr: string }[] }[];
  };
  for (const rule of rules.groups.flatMap((g) => g.rules)) {
    for (const n of metricNamesInPromQL(rule.expr)) names.add(n);
  }
  const contract = await Deno.readTextFile(new URL("../docs/metrics-contract.md", import.meta.url));
  const exporters = contract.slice(contract.indexOf("## From exporters"));
  for (const [, name] of exporters.matchAll(/`([a-z_:][a-z0-9_:]*)`/g)) names.delete(name);
  return names;
}

function exported(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
}

function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      return Number(line.split(" ").at(-1));
    }
  }
  return 0;
}

/** A vector store that is down: search must answer from full text and count the fallback. */
const downVectorStore = {
  name: "pgvector",
  ensureSchema: () => Promise.resolve(),
  upsert: () => Promise.reject(new Error("connection refused")),
  deleteDocument: () => Promise.reject(new Error("connection refused")),
  query: () => Promise.reject(new Error("connection refused")),
  count: () => Promise.reject(new Error("connection refused")),
} as unknown as VectorStore;

dbTest(
  "[deploy] every metric a dashboard or alert reads is exported by a tier, and the AI paths emit theirs",
  async (database) => {
    const documents = createDocumentServices(testCoreEnv(), database, {
      embedder: createHashEmbedder(),
      vectorStore: downVectorStore,
    });
    const stack = createTestStack(database, {
      coreEnv: { CHAT_DAILY_QUOTA_STUDENT: "1" },
      coreOverrides: { documents },
    });
    const world = await createAcademicWorld(database);
    const student = { ...(await stack.bearer(world.studentEnrolled)), "content-type": "application/json" };

    // Chat: one answered turn (the offline model runs; its answer is not cacheable without material), then the quota.
    const session = await stack.edge.request("/api/v1/chat/sessions", {
      method: "POST",
      headers: student,
      body: JSON.stringify({ courseId: world.courseA }),
    });
    assert.equal(session.status, 201);
    const { id } = await session.json();
    const ask = () =>
      stack.edge.request(`/api/v1/chat/sessions/${id}/messages`, {
        method: "POST",
        headers: student,
        body: JSON.stringify({ content: "What is an eigenvalue?" }),
      });
    const answered = await ask();
    assert.equal(answered.status, 200);
    await answered.body?.cancel();
    assert.equal((await ask()).status, 429);
    // Search with the vector store down: answered from full text.
    const search = await stack.edge.request("/api/v1/search", {
      method: "POST",
      headers: student,
      body: JSON.stringify({ courseId: world.courseA, query: "eigenvalues" }),
    });
    assert.equal(search.status, 200);
    assert.equal((await search.json()).degraded, "vector_unavailable");

    // A provider that reports tokens (the offline tutor has none), through the same instrumentation.
    const stub: TutorModel = {
      modelFor: () => "stub-model",
      usesHistory: false,
      async *stream() {
        yield { type: "token", text: "Hi" };
        yield { type: "usage", usage: { unit: "tokens", input: 12, output: 3 } };
      },
    };
    const workers = buildWorkersServices(
      loadWorkersEnv({ DATA_DIR: "memory://", LOG_LEVEL: "error" }),
      database,
    );
    const timingOut: TutorModel = {
      ...stub,
      // deno-lint-ignore require-yield
      async *stream() {
        throw new AppError(ErrorCode.TIMEOUT, "The model did not answer in time");
      },
    };
    await assert.rejects(
      complete(instrumentTutorModel(timingOut, workers.metrics.registry, "openai"), {
        task: "exam-gen",
        messages: [],
      }),
    );
    await complete(instrumentTutorModel(stub, workers.metrics.registry, "openai"), {
      task: "grading",
      messages: [],
    });

    const core = await stack.coreServices.metrics.registry.metrics();
    const edge = await stack.edgeServices.metrics.registry.metrics();
    const workersText = await workers.metrics.registry.metrics();
    const all = new Set([...exported(core), ...exported(edge), ...exported(workersText)]);
    const missing = [...await namesOperatorsRead()].filter((name) => !all.has(name));
    assert.deepEqual(missing, [], "read by a dashboard or alert, exported by no tier");

    assert.equal(sample(core, "chat_quota_exceeded_total", { scope: "role" }), 1);
    assert.equal(sample(core, "chat_answer_cache_total", { result: "skip" }), 1);
    assert.ok(sample(core, "retrieval_vector_fallback_total", { reason: "unavailable" }) >= 2, core);
    assert.ok(sample(core, "retrieval_duration_seconds_count", { store: "pgvector", mode: "fulltext" }) >= 2);
    assert.equal(sample(workersText, "llm_tokens_total", { operation: "grade", direction: "input" }), 12);
    assert.equal(sample(workersText, "llm_tokens_total", { operation: "grade", direction: "output" }), 3);
    assert.equal(sample(workersText, "llm_time_to_first_token_seconds_count", { model: "stub-model" }), 1);
    assert.equal(
      sample(workersText, "llm_request_duration_seconds_count", { operation: "grade", outcome: "ok" }),
      1,
    );
    assert.equal(
      sample(workersText, "llm_request_duration_seconds_count", { operation: "exam", outcome: "timeout" }),
      1,
      "LlmErrors reads failed calls by outcome",
    );
  },
);
