import assert from "node:assert/strict";
import { waitFor } from "../shared/testing/ports.ts";
import { spawnDev } from "./testing/dev.ts";

Deno.test({
  name: "[e2e] deno task dev serves all three tiers within 30 s on embedded defaults and stops on Ctrl-C",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    // No DATABASE_URL, no keys: the embedded defaults.
    const { child, ports, dataDir } = await spawnDev("aiteacher-dev-", { stdout: "piped" });
    const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
    try {
      const started = Date.now();
      for (const port of Object.values(ports)) {
        assert.ok(
          await waitFor(`http://127.0.0.1:${port}/healthz`, { timeoutMs: 30_000 }),
          `port ${port} healthy`,
        );
      }
      assert.ok(Date.now() - started < 30_000);
      const ready = await fetch(`http://127.0.0.1:${ports.CORE_PORT}/readyz`);
      assert.equal(ready.status, 200);
      await ready.body?.cancel();
      const viaEdge = await fetch(`http://127.0.0.1:${ports.EDGE_PORT}/api/v1/version`);
      assert.equal(viaEdge.status, 200);
      assert.deepEqual(await viaEdge.json(), { service: "core", apiVersion: "v1" });
    } finally {
      child.kill("SIGINT");
    }
    const status = await child.status;
    const [stdout] = await output;
    assert.equal(status.code, 0, "Ctrl-C stops every tier cleanly");
    assert.match(stdout, new RegExp(`edge +http://localhost:${ports.EDGE_PORT}`));
    for (const port of Object.values(ports)) {
      await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), "nothing keeps listening");
    }
    await Deno.stat(`${dataDir}/pglite`);
    await Deno.remove(dataDir, { recursive: true });
  },
});
