import assert from "node:assert/strict";
import { LlmExamGenerator } from "../../shared/exams/llm_generator.ts";
import { Blueprint } from "../../shared/exams/types.ts";
import { structuredAnswer } from "./fake_model.ts";
import { runAutocannon } from "./autocannon.ts";
import { loadOptions, parseDuration, runLoad } from "./main.ts";
import { autocannonClass, plainRates } from "./workload.ts";

const databaseUrl = Deno.env.get("DATABASE_URL");
const redisUrl = Deno.env.get("REDIS_URL");

Deno.test("parseDuration() reads seconds and minutes and refuses anything else", () => {
  assert.equal(parseDuration("60s"), 60);
  assert.equal(parseDuration("2m"), 120);
  assert.equal(parseDuration("5"), 5);
  assert.throws(() => parseDuration("soon"), /--duration/);
  assert.throws(() => loadOptions(["--chats", "-1"]), /--chats/);
});

Deno.test("--core-env gives the cores KEY=VALUE variables and refuses anything else", () => {
  assert.deepEqual(loadOptions([]).coreEnv, {});
  assert.deepEqual(loadOptions(["--core-env", "CHAT_TURNS_MAX=64, CHAT_TURN_QUEUE_MAX=0"]).coreEnv, {
    CHAT_TURNS_MAX: "64",
    CHAT_TURN_QUEUE_MAX: "0",
  });
  assert.throws(() => loadOptions(["--core-env", "CHAT_TURNS_MAX"]), /--core-env/);
});

Deno.test("--rate is a total shared out evenly between the plain classes; 0 keeps them closed loop", () => {
  assert.equal(loadOptions([]).rate, 0);
  assert.equal(loadOptions(["--rate", "300"]).rate, 300);
  assert.throws(() => loadOptions(["--rate", "-5"]), /--rate/);
  assert.throws(() => loadOptions(["--rate", "fast"]), /--rate/);
  assert.equal(loadOptions([]).warmupSeconds, 10, "a paced run warms the tiers up first");
  assert.equal(loadOptions(["--warmup", "0"]).warmupSeconds, 0);
  assert.deepEqual(plainRates(0), [undefined, undefined, undefined]);
  assert.deepEqual(plainRates(undefined), [undefined, undefined, undefined]);
  assert.deepEqual(plainRates(300), [100, 100, 100]);
  assert.deepEqual(plainRates(100), [34, 33, 33]);
  assert.deepEqual(plainRates(2), [1, 1, 1], "every class sends at least one request a second");
});

Deno.test({
  name: "runAutocannon() with overallRate sends at that rate, not as fast as the server answers",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    let served = 0;
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, () => {
      served++;
      return new Response("ok");
    });
    try {
      const url = `http://127.0.0.1:${server.addr.port}`;
      const paced = await runAutocannon({
        url,
        connections: 2,
        duration: 2,
        overallRate: 20,
        ignoreCoordinatedOmission: true,
      });
      // Closed loop a local server answers thousands a second; at 20/s over 2 s, about 40 (a second boundary more
      // or less).
      assert.ok(paced.requests.total >= 20 && paced.requests.total <= 70, `sent ${paced.requests.total}`);
      assert.equal(paced.non2xx, 0);
      assert.ok(served <= 70, `served ${served}`);
    } finally {
      await server.shutdown();
    }
  },
});

Deno.test({
  name:
    "[load] deno task load starts the production shape, runs a small mixed workload with no errors, and reports",
  // Needs the machine's Postgres and Redis (DATABASE_URL, REDIS_URL), as the multi-process tests do.
  ignore: !databaseUrl || !redisUrl,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const report = await Deno.makeTempFile({ suffix: ".md" });
    try {
      const run = await runLoad(
        loadOptions([
          "--chats",
          "2",
          "--students",
          "2",
          "--academics",
          "1",
          "--uploaders",
          "0",
          "--connections",
          "1",
          "--duration",
          "4s",
          "--log-level",
          "warn",
          "--report",
          report,
        ]),
        () => {},
      );
      assert.equal(run.errors, 0, "the load phase had errors");
      assert.ok(run.ok, `the checks failed: ${JSON.stringify(run.integrity)}`);
      assert.ok(run.integrity.turnsAccepted > 0, "streamed chats completed");
      assert.ok(run.integrity.jobsSucceeded >= 1, "the PDF was ingested through QStash and the workers");
      assert.ok(
        run.integrity.attemptsGraded >= 1,
        "students sat the generated exam and the workers graded it",
      );
      assert.equal(
        run.integrity.attemptsGraded,
        run.integrity.attemptsSubmitted,
        "an attempt was left ungraded",
      );
      assert.equal(run.integrity.gradedTwice, 0, "an attempt was graded twice");
      const text = await Deno.readTextFile(report);
      assert.match(text, /# Load report/);
      assert.match(text, /\| chat turn, streamed/);
      assert.match(text, /\| exam grading/);
      assert.match(text, /\| edge-2 \| \d+/);
      assert.match(text, /\| workers-2 \| \d+/);
    } finally {
      await Deno.remove(report).catch(() => {});
    }
  },
});

/** Whether a redis-server binary can be started here (the Redis-restart fault starts one of its own). */
function hasRedisServer(): boolean {
  try {
    return new Deno.Command("redis-server", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync()
      .success;
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "[load] a Redis restart under load: 503 with Retry-After while it is down, per-edge rate limits, answers after",
  ignore: !databaseUrl || !hasRedisServer(),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const report = await Deno.makeTempFile({ suffix: ".md" });
    try {
      const run = await runLoad(
        loadOptions([
          ...[
            "--chats",
            "1",
            "--students",
            "2",
            "--academics",
            "1",
            "--uploaders",
            "0",
            "--exam-takers",
            "1",
          ],
          ...["--connections", "1", "--duration", "3s", "--log-level", "warn", "--report", report],
          ...["--faults", "redis restarted"],
        ]),
        () => {},
      );
      const text = await Deno.readTextFile(report);
      const row = text.split("\n").find((l) => l.startsWith("| Redis restarted"));
      assert.ok(row, "the fault ran");
      assert.match(row, /admin audit list 503 \(Retry-After 5\)/, "admins fail closed, told when to retry");
      assert.match(row, /[1-9]\d* rate-limit checks on the edges' own windows/, "rate limits fell back");
      assert.match(row, /after: admin audit list 200/, "answers again once Redis is back");
      assert.match(row, /\| as declared \|$/);
      assert.ok(run.ok, `the checks failed: ${JSON.stringify(run.integrity)}`);
    } finally {
      await Deno.remove(report).catch(() => {});
    }
  },
});

Deno.test("the fake model's exam items pass the generator's own support checks, and its grades parse", async () => {
  const chunks = [
    "Substitution solves one equation for one variable and puts that expression into the other equation.",
    "Elimination adds or subtracts the equations so that one variable cancels and a single equation remains.",
    "A solution of a system is checked by putting both values back into each of the original equations.",
  ].map((text, i) => ({ chunkId: crypto.randomUUID(), documentId: crypto.randomUUID(), page: i + 1, text }));
  // A duplicate of the first chunk (the same PDF uploaded twice) must not make two items test one fact.
  chunks.push({ ...chunks[0], chunkId: crypto.randomUUID() });
  const generator = new LlmExamGenerator({
    completeJson: (request) =>
      Promise.resolve({ content: structuredAnswer(request.schemaName, request.user) ?? "" }),
  });
  const items = await generator.generate(
    Blueprint.parse({ counts: { multiple_choice: 2, true_false: 1, short_answer: 2 } }),
    chunks,
  );
  assert.deepEqual(items.map((i) => i.type), [
    "multiple_choice",
    "multiple_choice",
    "true_false",
    "short_answer",
    "short_answer",
  ]);
  const grade = JSON.parse(structuredAnswer("rubric_grade", "")!);
  assert.equal(typeof grade.score, "number");
  assert.equal(structuredAnswer("something_else", ""), undefined);
});

Deno.test("a closed-loop class counts every answer that was not 2xx, not one per run", () => {
  const result = autocannonClass("admin lists", {
    requests: { average: 21, total: 1500 },
    latency: { p50: 200, p90: 900, p97_5: 7400, p99: 9200, max: 9900 },
    non2xx: 1213,
    errors: 3,
    timeouts: 3,
    "2xx": 284,
  });
  assert.equal(result.ok, 284);
  assert.deepEqual(result.errors, { "non-2xx": 1213, "connection errors": 3, timeouts: 3 });
});
