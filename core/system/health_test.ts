import assert from "node:assert/strict";
import { schema } from "../../shared/db/client.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { createTestCore } from "../testing.ts";
import { workersReadiness } from "./health.ts";

/** A stand-in for the workers' `/readyz` answering what `answer` says now. */
function fakeWorkers() {
  const state = { status: 200 };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    if (new URL(req.url).pathname !== "/readyz") return new Response("no", { status: 404 });
    return state.status === 200
      ? Response.json({ status: "ready", service: "workers", checks: { database: { ok: true } } })
      : Response.json({
        error: {
          code: "UNAVAILABLE",
          message: "Not ready: database (connection refused)",
          details: { database: { ok: false, reason: "connection refused" } },
        },
      }, { status: 503 });
  });
  return { state, url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

dbTest(
  "[core] the admin's health report asks the workers' /readyz and counts the queue; it never gates",
  async (database) => {
    const workers = fakeWorkers();
    try {
      const world = await createAcademicWorld(database);
      const core = createTestCore(database, { WORKERS_URL: workers.url });
      const admin = core.asUser(world.admin);
      await database.db.insert(schema.jobs).values([
        {
          type: "mail.send",
          payload: {},
          status: "queued" as const,
          runAfter: new Date(Date.now() - 90_000),
        },
        {
          type: "mail.send",
          payload: {},
          status: "queued" as const,
          runAfter: new Date(Date.now() + 3_600_000),
        },
        { type: "mail.send", payload: {}, status: "dead" as const },
      ]);

      const ready = await (await admin.request("GET", "/v1/system/health")).json();
      assert.deepEqual(ready.core, { ok: true, checks: { database: { ok: true } } });
      assert.deepEqual(ready.workers, { ok: true, checks: { database: { ok: true } } });
      assert.ok(ready.queue.queued >= 1, "the due job waits (a future one does not count)");
      assert.ok(ready.queue.oldestQueuedSeconds >= 90);
      assert.ok(ready.queue.dead >= 1);

      workers.state.status = 503;
      const res = await admin.request("GET", "/v1/system/health");
      assert.equal(res.status, 200, "a report, not a probe");
      const down = await res.json();
      assert.equal(down.workers.ok, false);
      assert.equal(down.workers.reason, "Not ready: database (connection refused)");
      assert.deepEqual(down.workers.checks, { database: { ok: false, reason: "connection refused" } });

      // Admins only.
      assert.equal((await core.asUser(world.academicOwn).request("GET", "/v1/system/health")).status, 403);
      // Without an address the workers are reported as not checked, not as down.
      const unset = createTestCore(database).asUser(world.admin);
      const unchecked = await (await unset.request("GET", "/v1/system/health")).json();
      assert.equal(unchecked.workers.ok, null);
      assert.match(unchecked.workers.reason, /WORKERS_URL/);
    } finally {
      await workers.close();
    }
  },
);

Deno.test("[core] workers that do not answer in time, or cannot be reached, are reported down", async () => {
  const hanging =
    ((_: unknown, init?: RequestInit) =>
      new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(new Error("aborted")))
      )) as typeof fetch;
  const slow = await workersReadiness("http://workers.internal", hanging, 50);
  assert.equal(slow.ok, false);
  assert.match(slow.reason!, /did not answer within 50 ms|aborted/);
  const refused = await workersReadiness("http://127.0.0.1:1", fetch, 2000);
  assert.equal(refused.ok, false);
  assert.ok(refused.reason);
});
