/**
 * End to end through the production NGINX config: a real nginx (Debian's) in front of two real edge processes, the
 * core and the workers (`tools/dev.ts` on embedded PGlite in a temp DATA_DIR). The config under test is
 * `nginx/nginx.conf` with its snippets, changed only where a test machine must differ: the listen ports (free high
 * ports instead of 8080/8443), `site/upstream.conf` (the local edges and workers) and a throwaway self-signed
 * certificate.
 * The system's data is made the way an operator and clients make it: the first admin with `deno task admin:create`,
 * everything else through nginx (course, enrolment, upload, ingestion, chat). The tutor model is the fake OpenAI
 * server (`shared/tutor/testing/fake_openai.ts`), so the test decides when the answer may go on.
 */
import assert from "node:assert/strict";
import { startFakeOpenAi } from "../shared/tutor/testing/fake_openai.ts";
import { nginxTestEnvironment, TEST_METRICS_TOKEN } from "./testing.ts";
import { WEB_CSP } from "../edge/web/static.ts";
import { adminToken, api, expectJson, seedCourse, SseReader } from "./testing_api.ts";

const ADMIN = { email: "admin@uni.test", password: "correct horse battery staple" };
const NOTES = {
  fileName: "cells.md",
  text:
    "# Cell biology\n\nMitochondria are the powerhouse of the cell, producing ATP through cellular respiration. " +
    "Ribosomes assemble proteins from amino acids by reading messenger RNA.\n",
};

Deno.test("[nginx] nginx -t accepts the production config with a self-signed certificate", async () => {
  const env = await nginxTestEnvironment({ edges: ["127.0.0.1:9"], httpPort: 8080, httpsPort: 8443 });
  try {
    const { code, output } = await env.nginxCheck();
    assert.equal(code, 0, output);
    assert.match(output, /test is successful/);
  } finally {
    await env.cleanup();
  }
});

Deno.test("[nginx] the effective config streams chat answers unbuffered with a long read timeout", async () => {
  const env = await nginxTestEnvironment({ edges: ["127.0.0.1:9"], httpPort: 8080, httpsPort: 8443 });
  try {
    const { code, output } = await env.nginxCheck({ dump: true });
    assert.equal(code, 0, output);
    const chat = locationBlock(output, "~ ^/api/v1/chat/sessions/[^/]+/messages$");
    assert.match(chat, /proxy_buffering off;/);
    assert.match(chat, /proxy_request_buffering off;/);
    assert.match(chat, /gzip off;/);
    assert.match(chat, /proxy_read_timeout 1h;/);
    assert.doesNotMatch(output, /gzip_types[^;]*text\/event-stream/);
    assert.match(output, /gzip_types[^;]*application\/json/);
  } finally {
    await env.cleanup();
  }
});

Deno.test("[nginx] QStash's deliveries under /workers reach every workers replica, and nothing else of the workers is public", async () => {
  // Two stand-in workers replicas record what reaches them; a stand-in edge answers nginx's health check and
  // everything else.
  const seen: string[][] = [[], []];
  const quiet = { hostname: "127.0.0.1", port: 0, onListen: () => {} };
  const workers = seen.map((log) =>
    Deno.serve(quiet, async (req) => {
      log.push(
        `${req.method} ${new URL(req.url).pathname} ${req.headers.get("upstash-signature")} ${await req
          .text()}`,
      );
      return Response.json({ state: "done" });
    })
  );
  const edge = Deno.serve(quiet, () => new Response("edge"));
  const hostOf = (server: Deno.HttpServer<Deno.NetAddr>) => `127.0.0.1:${server.addr.port}`;
  const env = await nginxTestEnvironment({
    startNginx: true,
    edges: [hostOf(edge)],
    workers: workers.map(hostOf),
  });
  try {
    const deliver = async (path: string, body: string) => {
      const res = await env.https(`/workers${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "upstash-signature": "signed" },
        body,
      });
      assert.equal(res.status, 200, path);
      assert.deepEqual(await res.json(), { state: "done" }, path);
    };
    for (let i = 0; i < 6; i++) await deliver("/jobs/documents.ingest", `{"jobId":"j${i}"}`);
    await deliver("/jobs/_failed", "{}");
    await deliver("/schedules/maintenance.chat_retention", "{}");
    assert.ok(
      seen[0].length > 0 && seen[1].length > 0,
      `deliveries per replica: ${seen[0].length}, ${seen[1].length}`,
    );
    const all = seen.flat();
    assert.equal(all.length, 8);
    // The /workers prefix is NGINX's: the workers see the paths QStash signed under WORKERS_PUBLIC_URL.
    assert.ok(all.includes('POST /jobs/documents.ingest signed {"jobId":"j5"}'), all.join("\n"));
    assert.ok(all.includes("POST /jobs/_failed signed {}"), all.join("\n"));
    assert.ok(all.includes("POST /schedules/maintenance.chat_retention signed {}"), all.join("\n"));
    for (const path of ["/workers/metrics", "/workers/readyz", "/workers/jobs/a/b", "/workers/dev/mailbox"]) {
      const res = await env.https(path);
      await res.body?.cancel();
    }
    assert.equal(seen.flat().length, 8, "only job and schedule deliveries reach the workers");
  } finally {
    await env.cleanup();
    await Promise.all([...workers, edge].map((s) => s.shutdown()));
  }
});

Deno.test("[nginx] client -> nginx -> edge replicas -> core, with TLS, request ids, limits, nginx's own 429 and a streamed chat answer", async (t) => {
  const model = startFakeOpenAi();
  const env = await nginxTestEnvironment({
    startSystem: true,
    admin: ADMIN,
    systemEnv: {
      TUTOR_MODEL: "openai",
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_API_KEY: "test",
      OPENAI_MAX_RETRIES: "0",
      // The model holds its answer until the test has read the first token: core must not give up on it first.
      OPENAI_STREAM_IDLE_TIMEOUT_MS: "120000",
    },
  }).catch(async (err) => {
    await model.close();
    throw err;
  });
  try {
    await t.step("GET /api/v1/version over HTTPS reaches core through an edge", async () => {
      const res = await env.https("/api/v1/version");
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      assert.deepEqual(await res.json(), { service: "core", apiVersion: "v1" });
      assert.equal(res.headers.get("strict-transport-security"), "max-age=63072000; includeSubDomains");
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(res.headers.get("x-frame-options"), "DENY");
      assert.match(res.headers.get("x-request-id") ?? "", /^[0-9a-f]{32}$/);
    });

    await t.step("GET /readyz and /healthz pass through to the edge", async () => {
      const ready = await env.https("/readyz");
      assert.equal(ready.status, 200);
      const body = await ready.json();
      assert.equal(body.status, "ready");
      assert.equal(body.service, "edge");
      assert.deepEqual(body.checks, { core: { ok: true } });
      const health = await env.http("/healthz");
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: "ok", service: "edge" });
    });

    await t.step("the core behind the edges answers /readyz with its database", async () => {
      const res = await fetch(`${env.coreUrl}/readyz`);
      assert.equal(res.status, 200);
      assert.deepEqual((await res.json()).checks, { database: { ok: true } });
    });

    await t.step(
      "a client's request id travels to core and comes back; an unsafe one is replaced",
      async () => {
        const id = `e2e-${crypto.randomUUID()}`;
        const res = await env.https("/api/v1/version", { headers: { "X-Request-ID": id } });
        await res.body?.cancel();
        assert.equal(res.headers.get("x-request-id"), id);
        await waitFor(() => env.systemLog().some((l) => l.service === "core" && l.requestId === id));
        const unsafe = await env.https("/api/v1/version", { headers: { "X-Request-ID": "a b<script>" } });
        await unsafe.body?.cancel();
        assert.match(unsafe.headers.get("x-request-id") ?? "", /^[0-9a-f]{32}$/);
      },
    );

    await t.step("plain HTTP redirects to HTTPS", async () => {
      const res = await env.http("/api/v1/version?x=1", { redirect: "manual" });
      await res.body?.cancel();
      assert.equal(res.status, 308);
      assert.equal(res.headers.get("location"), "https://127.0.0.1/api/v1/version?x=1");
    });

    await t.step("a body over client_max_body_size gets nginx's 413 in the error shape", async () => {
      const res = await env.https("/api/v1/anything", {
        method: "POST",
        body: new Uint8Array(2 * 1024 * 1024),
      });
      assert.equal(res.status, 413);
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      assert.equal((await res.json()).error.code, "PAYLOAD_TOO_LARGE");
    });

    await t.step(
      "the web app comes through with its own page policy; the API keeps the locked-down one",
      async () => {
        // dev.ts builds the app when it starts: wait for the build to land.
        let page: Response | undefined;
        for (let i = 0; i < 120; i++) {
          page = await env.https("/courses/some-course");
          if (page.status === 200) break;
          await page.body?.cancel();
          await new Promise((r) => setTimeout(r, 500));
        }
        assert.equal(page?.status, 200);
        assert.match(page!.headers.get("content-type") ?? "", /text\/html/);
        assert.equal(page!.headers.get("cache-control"), "no-cache");
        assert.equal(page!.headers.get("content-security-policy"), WEB_CSP);
        const html = await page!.text();
        const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
        assert.ok(script, "index.html names its hashed script");
        const asset = await env.https(script!, { headers: { "accept-encoding": "gzip" } });
        assert.equal(asset.status, 200);
        assert.equal(asset.headers.get("cache-control"), "public, max-age=31536000, immutable");
        await asset.body?.cancel();
        const api = await env.https("/api/v1/version");
        assert.equal(
          api.headers.get("content-security-policy"),
          "default-src 'none'; frame-ancestors 'none'",
        );
        await api.body?.cancel();
      },
    );

    await t.step("/metrics is not exposed publicly", async () => {
      const res = await env.https("/metrics");
      assert.equal(res.status, 404);
      assert.equal((await res.json()).error.code, "NOT_FOUND");
    });

    await t.step("requests are spread over both edge replicas", async () => {
      for (let i = 0; i < 20; i++) {
        const res = await env.https("/api/v1/version");
        await res.body?.cancel();
      }
      const counts = await Promise.all(env.edgeUrls.map((url) => forwardedCount(url)));
      assert.ok(counts.every((n) => n > 0), `forwarded requests per edge: ${counts.join(", ")}`);
    });

    // Before the sign-in flood below, which spends this address's sign-in budget.
    await t.step("a chat answer streams through nginx token by token, cited and stored", async () => {
      const seeded = await seedCourse(env, { adminToken: await adminToken(env, ADMIN), document: NOTES });
      const token = seeded.studentToken;
      const session = await expectJson(
        await api(env, "POST", "/chat/sessions", { token, body: { courseId: seeded.courseId } }),
        201,
      );
      // The model sends its first sentence and the start of the second, then waits for this test. Core's gate
      // releases the first sentence once the second begins, so a `token` event is on its way while the answer is
      // unfinished, and the rest (and the end of the stream) come only after the test has read it. If anything on
      // the way held the stream back until it ended (buffering, gzip), neither the answer's headers nor its first
      // token would arrive before the deadline. Checked by hand: with nginx proxying HTTP/1.0 to the edge,
      // `proxy_buffering on` and X-Accel-Buffering ignored, this step fails. With HTTP/1.1 nginx passes the edge's
      // chunked data on even when buffering, so `proxy_buffering off` itself is pinned by the config test above.
      const release = Promise.withResolvers<void>();
      model.script.push({
        kind: "hold",
        pieces: ["Mitochondria produce ATP ", "through cellular respiration [1]. ", "Ribosomes assemble "],
        until: release.promise,
        rest: ["proteins from amino acids [1]."],
      });
      const firstTokenMs = 15_000;
      const tooLate = new AbortController();
      const timer = setTimeout(() => tooLate.abort(), firstTokenMs);
      try {
        const asked = Date.now();
        const res = await api(env, "POST", `/chat/sessions/${session.id}/messages`, {
          token,
          body: { content: "What do mitochondria produce?" },
          // Asked for explicitly, so fetch hands the body over as sent: a gzipped stream would show here.
          headers: { accept: "text/event-stream", "accept-encoding": "gzip" },
          signal: tooLate.signal,
        }).catch((err) => {
          throw tooLate.signal.aborted ? new Error(`no answer headers within ${firstTokenMs} ms`) : err;
        });
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
        assert.equal(res.headers.get("content-encoding"), null);
        const stream = new SseReader(res.body!);
        const first = await stream.until((e) => e.event === "token", firstTokenMs - (Date.now() - asked));
        clearTimeout(timer);
        assert.ok(first, `the stream ended before any token: ${JSON.stringify(stream.events)}`);
        assert.ok(
          !stream.ended && !stream.events.some((e) => e.event === "done"),
          "the answer is still open",
        );
        assert.match(tokensOf(stream.events), /^Mitochondria produce ATP/);
        assert.doesNotMatch(tokensOf(stream.events), /proteins/);

        release.resolve();
        const events = await stream.rest(15_000);
        const streamed = tokensOf(events);
        assert.match(
          streamed,
          /^Mitochondria produce ATP.*\[1\]\. Ribosomes assemble proteins from amino acids/s,
        );
        const citations = (events.find((e) => e.event === "citations")?.data as { citations: Citation[] })
          ?.citations;
        assert.ok(citations?.length, `no citations among ${JSON.stringify(events)}`);
        assert.ok(citations.every((c) => c.documentId === seeded.documentId), JSON.stringify(citations));
        const done = events.at(-1)!;
        assert.equal(done.event, "done", JSON.stringify(events));
        const { messageId, status } = done.data as { messageId: string; status: string };
        assert.equal(status, "complete");
        // The model was asked with the uploaded document's text as its material.
        assert.equal(model.requests.length, 1);
        assert.ok(model.requests[0].messages.some((m) => m.content.includes("Ribosomes assemble proteins")));

        const stored = await expectJson(
          await api(env, "GET", `/chat/sessions/${session.id}`, { token }),
          200,
        );
        const messages = stored.messages as StoredMessage[];
        assert.deepEqual(messages.map((m) => m.role), ["user", "assistant"]);
        const [question, answer] = messages;
        assert.equal(question.content, "What do mitochondria produce?");
        assert.equal(answer.id, messageId);
        assert.equal(answer.content, streamed);
        assert.equal(answer.status, "complete");
        assert.deepEqual(answer.citations.map((c) => c.documentId), citations.map((c) => c.documentId));
      } finally {
        clearTimeout(timer);
        release.resolve();
      }
    });

    await t.step("a flood of sign-in attempts gets nginx's own 429, marked as nginx's", async () => {
      const statuses = await Promise.all(
        Array.from({ length: 60 }, async () => {
          const res = await env.https("/api/v1/auth/login", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: "{}",
          });
          const source = res.headers.get("x-ratelimit-source");
          const body = res.status === 429 ? await res.json() : (await res.body?.cancel(), undefined);
          return { status: res.status, source, retryAfter: res.headers.get("retry-after"), body };
        }),
      );
      // The edge may refuse some sign-ins itself (its per-IP login limit); only NGINX's carry its marker.
      const fromNginx = statuses.filter((s) => s.source === "nginx");
      assert.ok(fromNginx.length > 0, `no 429 from nginx among ${statuses.map((s) => s.status).join(",")}`);
      assert.ok(statuses.some((s) => s.source !== "nginx"), "the burst allowance let nothing through");
      for (const s of fromNginx) {
        assert.equal(s.status, 429);
        assert.equal(s.retryAfter, "1");
        assert.equal(s.body.error.code, "RATE_LIMITED");
        assert.match(s.body.error.requestId, /^[0-9a-f]{32}$/);
      }
    });
  } finally {
    await env.cleanup();
    await model.close();
  }
});

interface Citation {
  documentId: string;
}

interface StoredMessage {
  id: string;
  role: string;
  content: string;
  status: string;
  citations: Citation[];
}

/** The answer text carried by the `token` events. */
function tokensOf(events: { event: string; data: unknown }[]): string {
  return events.filter((e) => e.event === "token").map((e) => (e.data as { text: string }).text).join("");
}

/** The body of the `location <match> { ... }` block in an `nginx -T` dump. */
function locationBlock(dump: string, match: string): string {
  const start = dump.indexOf(`location ${match} {`);
  assert.ok(start >= 0, `no location ${match} in the effective config`);
  const end = dump.indexOf("\n}", start);
  return dump.slice(start, end);
}

/** How many requests an edge forwarded to core, read from its own /metrics. */
async function forwardedCount(edgeUrl: string): Promise<number> {
  const res = await fetch(`${edgeUrl}/metrics`, {
    headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
  });
  assert.equal(res.status, 200);
  const text = await res.text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("http_requests_total{") && line.includes('route="/api/v1/*"')) {
      total += Number(line.split(" ").at(-1));
    }
  }
  return total;
}

/** Polls until `check` holds, failing after `ms`. */
async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
