import assert from "node:assert/strict";
import { loadOptions, parseDuration, runLoad } from "./main.ts";

const databaseUrl = Deno.env.get("DATABASE_URL");
const redisUrl = Deno.env.get("REDIS_URL");

Deno.test("parseDuration() reads seconds and minutes and refuses anything else", () => {
  assert.equal(parseDuration("60s"), 60);
  assert.equal(parseDuration("2m"), 120);
  assert.equal(parseDuration("5"), 5);
  assert.throws(() => parseDuration("soon"), /--duration/);
  assert.throws(() => loadOptions(["--chats", "-1"]), /--chats/);
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
      const text = await Deno.readTextFile(report);
      assert.match(text, /# Load report/);
      assert.match(text, /\| chat turn, streamed/);
      assert.match(text, /\| edge-2 \| \d+/);
      assert.match(text, /\| workers-2 \| \d+/);
    } finally {
      await Deno.remove(report).catch(() => {});
    }
  },
});
