/**
 * The QStash transport end to end: the real `@upstash/qstash` Client publishes to a fake QStash (see its header),
 * which delivers to the real workers app over HTTP with real signatures; the workers verify them with `Receiver`.
 */
import assert from "node:assert/strict";
import { Client } from "@upstash/qstash";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { type Database, schema } from "../../shared/db/client.ts";
import { freshTestDatabase, testBackends } from "../../shared/db/testing.ts";
import { enqueueJob } from "../../shared/jobs/enqueue.ts";
import { createWorkersApp, type WorkersApp } from "../app.ts";
import { loadWorkersEnv } from "../env.ts";
import { buildWorkersServices } from "../main.ts";
import { jobHandlers } from "./handlers/mod.ts";
import type { JobRegistry } from "./registry.ts";
import { proxiedPostgres } from "../../shared/testing/proxied_postgres.ts";
import { bodyHash, type FakeMessage, signLikeQStash, startFakeQStash } from "./testdata/fake_qstash.ts";
import { QStashDispatcher } from "./transport/qstash.ts";
import { insertJob, jobById, makeUser, waitFor } from "./testing.ts";

async function harness(
  kind: "pglite" | "postgres",
  options: {
    registry?: JobRegistry;
    database?: Database;
    beforeFailureCallback?: (message: FakeMessage) => Promise<void> | void;
  } = {},
) {
  const database = options.database ?? await freshTestDatabase(kind);
  const fake = await startFakeQStash({ beforeFailureCallback: options.beforeFailureCallback });
  const holder: { app?: WorkersApp } = {};
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    (req) => holder.app ? holder.app.fetch(req) : new Response("starting", { status: 503 }),
  );
  const publicUrl = `http://127.0.0.1:${server.addr.port}`;
  const env = loadWorkersEnv({
    JOB_TRANSPORT: "qstash",
    QSTASH_URL: fake.url,
    QSTASH_TOKEN: fake.token,
    QSTASH_CURRENT_SIGNING_KEY: fake.currentSigningKey,
    QSTASH_NEXT_SIGNING_KEY: fake.nextSigningKey,
    WORKERS_PUBLIC_URL: publicUrl,
    JOB_MAX_ATTEMPTS: "3",
    JOB_BACKOFF_BASE_MS: "1",
    LOG_LEVEL: "error",
  });
  const services = buildWorkersServices(env, database, { registry: options.registry ?? jobHandlers });
  holder.app = createWorkersApp(services);
  const notify = async (userId: string) =>
    await enqueueJob(database.db, {
      type: "notifications.deliver",
      payload: { userId, kind: "qstash-test", title: "Hi" },
      ownerUserId: userId,
    });
  const notificationsOf = (jobId: string) =>
    database.db.select().from(schema.notifications).where(eq(schema.notifications.jobId, jobId));
  return {
    database,
    fake,
    services,
    publicUrl,
    notify,
    notificationsOf,
    client: new Client({ baseUrl: fake.url, token: fake.token, devMode: false, enableTelemetry: false }),
    async close() {
      await services.jobs.transport.stop();
      await fake.close();
      await server.shutdown();
      await database.close();
    },
  };
}

function qstashTest(name: string, fn: (kind: "pglite" | "postgres") => Promise<void>) {
  for (const kind of testBackends) {
    Deno.test({
      name: `[${kind}] ${name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: () => fn(kind),
    });
  }
}

qstashTest("a job published through QStash is delivered, verified and run once", async (kind) => {
  const h = await harness(kind);
  try {
    assert.equal(h.services.jobs.transport.kind, "qstash");
    const userId = await makeUser(h.database);
    const job = await h.notify(userId);
    assert.equal(await h.services.jobs.transport.tick(), 1);
    await h.fake.idle();
    const [message] = h.fake.messages;
    assert.equal(message.url, `${h.publicUrl}/jobs/notifications.deliver`);
    assert.equal(message.deduplicationId, job.id);
    assert.equal(message.retries, 2);
    assert.equal(message.failureCallback, `${h.publicUrl}/jobs/_failed`);
    assert.deepEqual(message.attempts, [{ status: 200, retried: 0 }]);
    await assertRanOnce(h, job.id, 1);

    // The outbox is empty now; a second publish with the same deduplication id is dropped by QStash.
    assert.equal(await h.services.jobs.transport.tick(), 0);
    const again = await h.client.publishJSON({
      url: message.url,
      body: { jobId: job.id, type: job.type },
      deduplicationId: job.id,
    });
    assert.equal((again as { deduplicated?: boolean }).deduplicated, true);
    await h.fake.idle();
    assert.equal(h.fake.messages.length, 1);

    // A fresh message for the same job (e.g. published by a dispatcher that crashed before marking it) is acked
    // without running the handler again.
    await h.client.publishJSON({ url: message.url, body: { jobId: job.id, type: job.type } });
    await h.fake.idle();
    assert.deepEqual(h.fake.messages[1].attempts, [{ status: 200, retried: 0 }]);
    assert.equal((await h.notificationsOf(job.id)).length, 1);
    assert.equal((await jobById(h.database, job.id)).attempts, 1);
  } finally {
    await h.close();
  }
});

qstashTest(
  "a failed attempt answers 500, QStash retries with Upstash-Retried, the retry succeeds",
  async (kind) => {
    const seen: string[] = [];
    const h = await harness(kind, {
      registry: {
        "test.flaky": {
          schema: z.object({}),
          run: (ctx) => {
            seen.push(`attempt ${ctx.job.attempt}`);
            return ctx.job.attempt === 1 ? Promise.reject(new Error("first try fails")) : Promise.resolve();
          },
        },
      },
    });
    try {
      const job = await insertJob(h.database, { type: "test.flaky", payload: {} });
      await h.services.jobs.transport.tick();
      await h.fake.idle();
      assert.deepEqual(h.fake.messages[0].attempts, [{ status: 500, retried: 0 }, {
        status: 200,
        retried: 1,
      }]);
      assert.deepEqual(seen, ["attempt 1", "attempt 2"]);
      const row = await jobById(h.database, job.id);
      assert.equal(row.status, "succeeded");
      assert.equal(row.attempts, 2);
    } finally {
      await h.close();
    }
  },
);

qstashTest("a handler that always throws ends dead after the limit, with its last error", async (kind) => {
  let n = 0;
  const h = await harness(kind, {
    registry: {
      "test.broken": { schema: z.object({}), run: () => Promise.reject(new Error(`broken ${++n}`)) },
    },
  });
  try {
    const job = await insertJob(h.database, { type: "test.broken", payload: {} });
    await h.services.jobs.transport.tick();
    await h.fake.idle();
    // Attempts 1 and 2 ask for a retry; attempt 3 is the last: the job is dead and the delivery acknowledged.
    assert.deepEqual(h.fake.messages[0].attempts.map((a) => a.status), [500, 500, 200]);
    const row = await jobById(h.database, job.id);
    assert.equal(row.status, "dead");
    assert.equal(row.attempts, 3);
    assert.equal(row.lastError, "broken 3");
  } finally {
    await h.close();
  }
});

type Harness = Awaited<ReturnType<typeof harness>>;

/** Publishes a job's message by hand, as the dispatcher would (for rows the test put in a state of its own). */
function publishByHand(h: Harness, job: { id: string; type: string }) {
  return h.client.publishJSON({
    url: `${h.publicUrl}/jobs/${job.type}`,
    body: { jobId: job.id, type: job.type },
    deduplicationId: job.id,
    retries: 2,
    failureCallback: `${h.publicUrl}/jobs/_failed`,
  });
}

/**
 * Queues a notification job, leaves its row as `row` says (a dead worker's lease, say), publishes its message by
 * hand and waits until QStash has delivered it or given up; `beforePublish` runs just before the publish.
 */
async function deliverLeftJob(
  h: Harness,
  row: Partial<typeof schema.jobs.$inferInsert>,
  beforePublish?: () => void,
) {
  const job = await h.notify(await makeUser(h.database));
  await h.database.db.update(schema.jobs).set(row).where(eq(schema.jobs.id, job.id));
  beforePublish?.();
  await publishByHand(h, job);
  await h.fake.idle();
  return job;
}

/** The dispatcher's next pass publishes the job again; waits until QStash has delivered that message. */
async function publishAgain(h: Harness) {
  assert.equal(await h.services.jobs.transport.tick(), 1);
  await h.fake.idle();
}

/** Asserts the job succeeded after `attempts` attempts and its notification was sent once. */
async function assertRanOnce(h: Harness, jobId: string, attempts: number) {
  const row = await jobById(h.database, jobId);
  assert.equal(row.status, "succeeded");
  assert.equal(row.attempts, attempts);
  assert.ok(row.dispatchedAt);
  assert.equal((await h.notificationsOf(jobId)).length, 1);
}

qstashTest(
  "QStash giving up while a dead worker's lease holds the job publishes it again; it runs once, after the lease",
  async (kind) => {
    const h = await harness(kind);
    try {
      // A worker claimed the job (attempt 1) and died; its lease still holds for a moment, so every delivery of the
      // message is refused with 409 until QStash gives up. None of the job's attempts failed.
      const job = await deliverLeftJob(h, {
        status: "running",
        attempts: 1,
        lockedBy: "dead-worker",
        leaseUntil: new Date(Date.now() + 1500),
        dispatchedAt: new Date(),
      });
      assert.deepEqual(h.fake.messages[0].attempts.map((a) => a.status), [409, 409, 409]);
      assert.equal(h.fake.messages[0].state, "dlq");

      // The failure callback put it back in the outbox (not dead), due no sooner than the lease's end; the holder's
      // lease is untouched, so nothing can run it meanwhile.
      const row = await jobById(h.database, job.id);
      assert.equal(row.status, "running");
      assert.equal(row.lockedBy, "dead-worker");
      assert.equal(row.dispatchedAt, null);
      assert.equal(row.generation, 1);
      assert.ok(row.runAfter.getTime() >= row.leaseUntil!.getTime());

      // The dispatcher publishes it with a delay and a new deduplication id; the delivery claims it after the lease.
      await publishAgain(h);
      const again = h.fake.messages[1];
      assert.equal(again.deduplicationId, `${job.id}-r1`);
      assert.match(again.headers.get("upstash-delay") ?? "", /^[12]s$/);
      assert.deepEqual(again.attempts.map((a) => a.status), [200]);
      await assertRanOnce(h, job.id, 2);
    } finally {
      await h.close();
    }
  },
);

qstashTest(
  "a job put back after QStash gave up still ends dead when its attempts are spent, with the runner's reason",
  async (kind) => {
    const h = await harness(kind);
    try {
      // The worker running the last allowed attempt died; its lease holds through QStash's deliveries.
      const job = await deliverLeftJob(h, {
        status: "running",
        attempts: 3,
        lockedBy: "dead-worker",
        leaseUntil: new Date(Date.now() + 500),
        dispatchedAt: new Date(),
      });
      assert.equal((await jobById(h.database, job.id)).generation, 1);
      await publishAgain(h);
      const row = await jobById(h.database, job.id);
      assert.equal(row.status, "dead");
      assert.match(row.lastError ?? "", /The worker running attempt 3 stopped answering/);
      assert.equal((await h.notificationsOf(job.id)).length, 0);
    } finally {
      await h.close();
    }
  },
);

qstashTest(
  "a job QStash keeps giving up on is put back at most JOB_MAX_REQUEUES times, then dead with the reason",
  async (kind) => {
    const h = await harness(kind);
    try {
      const userId = await makeUser(h.database);
      const gaveUp = async (jobId: string, type: string) => {
        const callbackUrl = `${h.publicUrl}/jobs/_failed`;
        const body = JSON.stringify({
          status: 500,
          retried: 2,
          body: btoa("database unavailable"),
          sourceBody: btoa(JSON.stringify({ jobId, type })),
        });
        const res = await fetch(callbackUrl, {
          method: "POST",
          body,
          headers: {
            "content-type": "application/json",
            "upstash-signature": await signLikeQStash(h.fake.currentSigningKey, {
              sub: callbackUrl,
              body: await bodyHash(body),
            }),
          },
        });
        assert.equal(res.status, 200);
        return (await res.json()).state as string;
      };
      // Every delivery met a worker that could not claim it: each give-up puts the job back, up to the cap (5).
      const job = await h.notify(userId);
      await h.database.db.update(schema.jobs).set({ generation: 4 }).where(eq(schema.jobs.id, job.id));
      assert.equal(await gaveUp(job.id, job.type), "requeued");
      assert.equal((await jobById(h.database, job.id)).generation, 5);
      assert.equal(await gaveUp(job.id, job.type), "dead");
      const row = await jobById(h.database, job.id);
      assert.equal(row.status, "dead");
      assert.match(row.lastError ?? "", /put back 5 times; no delivery could claim and finish it/);
      assert.match(row.lastError ?? "", /QStash gave up after 3 deliveries; last answer 500/);

      // At the cap but held by a worker under a live lease: put back (that worker finishes it, or its lease ends).
      const held = await h.notify(userId);
      await h.database.db.update(schema.jobs).set({
        generation: 5,
        status: "running",
        attempts: 1,
        lockedBy: "busy-worker",
        leaseUntil: new Date(Date.now() + 60_000),
        dispatchedAt: new Date(),
      }).where(eq(schema.jobs.id, held.id));
      assert.equal(await gaveUp(held.id, held.type), "requeued");
      assert.equal((await jobById(h.database, held.id)).status, "running");
    } finally {
      await h.close();
    }
  },
);

qstashTest("a failure callback after a refusal that would repeat (401) marks the job dead", async (kind) => {
  const h = await harness(kind);
  try {
    const userId = await makeUser(h.database);
    const job = await h.notify(userId);
    const callbackUrl = `${h.publicUrl}/jobs/_failed`;
    const body = JSON.stringify({
      status: 401,
      retried: 2,
      body: btoa("Upstash-Signature is invalid"),
      sourceBody: btoa(JSON.stringify({ jobId: job.id, type: job.type })),
    });
    const res = await fetch(callbackUrl, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        "upstash-signature": await signLikeQStash(h.fake.currentSigningKey, {
          sub: callbackUrl,
          body: await bodyHash(body),
        }),
      },
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).state, "dead");
    const row = await jobById(h.database, job.id);
    assert.equal(row.status, "dead");
    assert.match(row.lastError ?? "", /QStash gave up after 3 deliveries; last answer 401/);
  } finally {
    await h.close();
  }
});

if (testBackends.includes("postgres")) {
  Deno.test({
    name: "[postgres] a job whose last deliveries meet a Postgres outage is published again, not lost",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const { proxy, database, close } = await proxiedPostgres({ poolMax: 3 });
      // QStash calls the failure callback a while after giving up; by then the database is back.
      const h = await harness("postgres", { database, beforeFailureCallback: () => proxy.restore() });
      try {
        const job = await deliverLeftJob(h, { dispatchedAt: new Date() }, () => proxy.cut());
        // Every delivery failed before the job could be claimed; none of its attempts ran.
        const statuses = h.fake.messages[0].attempts.map((a) => a.status);
        assert.equal(statuses.length, 3);
        assert.ok(statuses.every((s) => s >= 500), `deliveries answered ${statuses}`);
        const row = await jobById(h.database, job.id);
        assert.equal(row.status, "queued");
        assert.equal(row.attempts, 0);
        assert.equal(row.generation, 1);

        await publishAgain(h);
        assert.deepEqual(h.fake.messages[1].attempts.map((a) => a.status), [200]);
        await assertRanOnce(h, job.id, 1);
      } finally {
        await h.close();
        await close();
      }
    },
  });
}

qstashTest(
  "unsigned, forged, expired, premature, misaddressed and body-tampered deliveries get 401 and do nothing",
  async (kind) => {
    const h = await harness(kind);
    try {
      const userId = await makeUser(h.database);
      const job = await h.notify(userId);
      const url = `${h.publicUrl}/jobs/notifications.deliver`;
      const body = JSON.stringify({ jobId: job.id, type: job.type });
      const hash = await bodyHash(body);
      const now = Math.floor(Date.now() / 1000);
      const send = (signature: string | undefined, sentBody = body, to = url) =>
        fetch(to, {
          method: "POST",
          body: sentBody,
          headers: {
            "content-type": "application/json",
            "upstash-retried": "0",
            ...(signature ? { "upstash-signature": signature } : {}),
          },
        });
      const key = h.fake.currentSigningKey;
      const cases: [string, Promise<Response>][] = [
        ["unsigned", send(undefined)],
        ["garbage", send("not.a.jwt")],
        ["forged with another key", send(await signLikeQStash("sig_attacker", { sub: url, body: hash }))],
        ["another issuer", send(await signLikeQStash(key, { iss: "Attacker", sub: url, body: hash }))],
        [
          "expired",
          send(
            await signLikeQStash(key, {
              sub: url,
              body: hash,
              iat: now - 900,
              nbf: now - 900,
              exp: now - 600,
            }),
          ),
        ],
        [
          "not yet valid",
          send(await signLikeQStash(key, { sub: url, body: hash, nbf: now + 600, exp: now + 900 })),
        ],
        [
          "signed for another URL",
          send(await signLikeQStash(key, { sub: `${h.publicUrl}/jobs/other`, body: hash })),
        ],
        [
          "body tampered",
          send(
            await signLikeQStash(key, { sub: url, body: hash }),
            JSON.stringify({ jobId: crypto.randomUUID(), type: job.type }),
          ),
        ],
        [
          "replayed to another type",
          send(await signLikeQStash(key, { sub: url, body: hash }), body, `${h.publicUrl}/jobs/other.type`),
        ],
        [
          "failure callback unsigned",
          fetch(`${h.publicUrl}/jobs/_failed`, {
            method: "POST",
            body: JSON.stringify({ sourceBody: btoa(body) }),
          }),
        ],
      ];
      for (const [name, pending] of cases) {
        const res = await pending;
        assert.equal(res.status, 401, name);
        assert.equal((await res.json()).error.code, "UNAUTHORIZED", name);
      }
      let row = await jobById(h.database, job.id);
      assert.equal(row.status, "queued");
      assert.equal(row.attempts, 0);
      assert.equal((await h.notificationsOf(job.id)).length, 0);

      // A delivery signed with the next key (during a key rotation) is accepted.
      const rotated = await send(await signLikeQStash(h.fake.nextSigningKey, { sub: url, body: hash }));
      assert.equal(rotated.status, 200);
      row = await jobById(h.database, job.id);
      assert.equal(row.status, "succeeded");
    } finally {
      await h.close();
    }
  },
);

qstashTest(
  "a crash between commit and publish loses nothing: the next dispatcher publishes the outbox on start",
  async (kind) => {
    const h = await harness(kind);
    try {
      const userId = await makeUser(h.database);
      // The domain transaction commits its job; the process "dies" before any dispatcher pass ran.
      const lost = await h.database.db.transaction((tx) =>
        enqueueJob(tx, { type: "notifications.deliver", payload: { userId, kind: "k", title: "Outbox" } })
      );
      // A crash after publishing but before marking the row dispatched: published again, and QStash deduplicates.
      const half = await h.notify(userId);
      await h.client.publishJSON({
        url: `${h.publicUrl}/jobs/notifications.deliver`,
        body: { jobId: half.id, type: half.type },
        deduplicationId: half.id,
      });
      await h.fake.idle();

      // A new process starts: its dispatcher's first pass scans the outbox.
      const restarted = h.services.jobs.transport as QStashDispatcher;
      restarted.start();
      await waitFor(
        async () => (await jobById(h.database, lost.id)).status === "succeeded",
        10_000,
        "the lost job",
      );
      await restarted.stop();
      await h.fake.idle();
      assert.equal((await h.notificationsOf(lost.id)).length, 1);
      assert.equal((await h.notificationsOf(half.id)).length, 1);
      assert.equal(h.fake.messages.filter((m) => m.body.includes(half.id)).length, 1);
      assert.ok((await jobById(h.database, half.id)).dispatchedAt);
    } finally {
      await h.close();
    }
  },
);
