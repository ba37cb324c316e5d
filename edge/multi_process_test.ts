import assert from "node:assert/strict";
import { deleteKeys, testKeyPrefix, testRedisUrl } from "../shared/kv/testing.ts";
import { startUpstashBridge } from "../shared/kv/testing/upstash_bridge.ts";

/** Starts `edge/main.ts` as a real process on port 0 and resolves with its URL once it listens. */
async function startEdgeProcess(env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./main.ts", import.meta.url).pathname],
    env: { ...env, EDGE_PORT: "0", EDGE_HOSTNAME: "127.0.0.1", LOG_LEVEL: "info" },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const { value, done } = await lines.read();
    if (done) break;
    buffered += value;
    const listening = buffered.split("\n").map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return null;
      }
    }).find((l) => l?.msg === "listening");
    if (listening) {
      // Keep draining stdout so the child never blocks on a full pipe.
      const drained = (async () => {
        while (!(await lines.read()).done) { /* access log lines */ }
      })();
      return {
        url: listening.url as string,
        stop: async () => {
          child.kill("SIGTERM");
          await child.status;
          await drained;
        },
      };
    }
  }
  child.kill("SIGKILL");
  await child.status;
  throw new Error(`edge did not start: ${buffered}`);
}

Deno.test("[edge] a per-IP limit holds across two edge processes sharing one Redis", async () => {
  const bridge = await startUpstashBridge({ redisUrl: testRedisUrl, token: crypto.randomUUID() });
  const core = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    () => Response.json({ ok: 1 }),
  );
  const prefix = testKeyPrefix();
  const env = {
    CORE_URL: `http://127.0.0.1:${core.addr.port}`,
    UPSTASH_REDIS_REST_URL: bridge.url,
    UPSTASH_REDIS_REST_TOKEN: bridge.token,
    KV_KEY_PREFIX: prefix,
    RATE_LIMIT_IP: "5/1m",
  };
  const edges = await Promise.all([startEdgeProcess(env), startEdgeProcess(env)]);
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${edges[i % 2].url}/api/v1/version`);
      await res.body?.cancel();
      statuses.push(res.status);
    }
    // Five in total pass, alternating between the processes; each alone would have let eight through.
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
  } finally {
    await Promise.all(edges.map((e) => e.stop()));
    await core.shutdown();
    await bridge.close();
    await deleteKeys(prefix);
  }
});
