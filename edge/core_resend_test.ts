/**
 * A request the edge forwarded to a core replica that died before answering. Deno's fetch resends a request that a
 * reused connection lost before any answer came (hyper's retry of "canceled" requests), whatever the method, on a
 * new connection: behind a load balancer that is another replica. The resent request carries the same single-use
 * assertion, which the other replica refuses. The client must see what it sees for any request in flight on a dying
 * replica (502: the outcome is unknown), not a 401 `invalid_token` that tells it its access token is bad (seen in the
 * load harness's core SIGKILL fault: 401s on exam starts; docs/load.md).
 */
import assert from "node:assert/strict";
import { createTestUser } from "../core/auth/testing.ts";
import { dbTest } from "../shared/db/testing.ts";
import { createTestStack } from "../testing/stack.ts";

Deno.test("[edge] Deno's fetch resends a POST that a reused connection lost unanswered (why the edge maps replays)", async () => {
  // A server that answers the first request of its first connection, then reads the second request on that
  // connection and closes it without answering (a replica killed mid-request); later connections are answered.
  const seen: string[] = [];
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let connections = 0;
  const serving = (async () => {
    for await (const conn of listener) {
      const n = ++connections;
      (async () => {
        const buf = new Uint8Array(65536);
        for (let i = 1;; i++) {
          const read = await conn.read(buf).catch(() => null);
          if (!read) break;
          seen.push(/x-id: (\w+)/i.exec(new TextDecoder().decode(buf.subarray(0, read)))?.[1] ?? "?");
          if (n === 1 && i === 2) break;
          await conn.write(new TextEncoder().encode("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"));
        }
        conn.close();
      })();
    }
  })();
  try {
    const url = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`;
    const first = await fetch(url, { method: "POST", body: "a", headers: { "x-id": "one" } });
    assert.equal(await first.text(), "ok");
    const second = await fetch(url, { method: "POST", body: "b", headers: { "x-id": "two" } });
    assert.equal(await second.text(), "ok");
    // The second request reached the server twice: once on the lost connection, once on a new one.
    assert.deepEqual(seen, ["one", "two", "two"]);
  } finally {
    listener.close();
    await serving.catch(() => {});
  }
});

/** An edge whose way to core delivers the first request to `path` twice, as Deno's fetch does when the replica
 * that read it dies unanswered: the first delivery reaches core (which takes the assertion's single use) and its
 * answer is lost; the same request is delivered again and that answer returned. */
function stackWithOneResend(database: Parameters<typeof createTestStack>[0], path: string) {
  const seen = { deliveries: 0 };
  const stack = createTestStack(database, {
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      if (new URL(request.url).pathname !== path) return await stack.core.fetch(request); // the JWKS
      seen.deliveries++;
      if (seen.deliveries > 1) return await stack.core.fetch(request);
      const again = new Request(input, init);
      await (await stack.core.fetch(request)).body?.cancel();
      seen.deliveries++;
      return await stack.core.fetch(again);
    }) as typeof fetch,
  });
  return { stack, seen };
}

dbTest(
  "[edge] a POST resent to another core after the first died unanswered gets 502, not 401 invalid_token",
  async (database) => {
    const { stack, seen } = stackWithOneResend(database, "/v1/chat/sessions");
    const student = await createTestUser(database, { role: "STUDENT" });
    const res = await stack.edge.request("/api/v1/chat/sessions", {
      method: "POST",
      headers: { ...(await stack.bearer(student)), "content-type": "application/json" },
      body: JSON.stringify({ courseId: crypto.randomUUID() }),
    });
    assert.equal(seen.deliveries, 2, "delivered twice, and not sent again by the edge");
    assert.equal(res.status, 502, await res.clone().text());
    assert.equal(res.headers.get("www-authenticate"), null, "the client's token is not what failed");
    assert.equal(res.headers.get("x-edge-assertion-replayed"), null);
    assert.match((await res.json()).error.message, /may or may not have taken effect/);
  },
);

dbTest(
  "[edge] a GET delivered twice is signed again and sent once more: the client gets its answer",
  async (database) => {
    const { stack, seen } = stackWithOneResend(database, "/v1/me");
    const student = await createTestUser(database, { role: "STUDENT" });
    const res = await stack.edge.request("/api/v1/me", { headers: await stack.bearer(student) });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(seen.deliveries, 3, "two deliveries of the first assertion, one of the second");
  },
);
