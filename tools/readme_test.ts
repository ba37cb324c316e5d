import assert from "node:assert/strict";
import { waitFor } from "../shared/testing/ports.ts";
import { spawnDev } from "./testing/dev.ts";

const MARKER = "<!-- readme-test: first-session";

/** The README's first-session shell block: the first ```sh block after the marker. */
async function firstSessionBlock(): Promise<string> {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const at = readme.indexOf(MARKER);
  assert.ok(at >= 0, "README.md marks its first session");
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(block, "a ```sh block follows the marker");
  return block[1];
}

Deno.test({
  name: "[e2e] the README's first session works as pasted against `deno task dev`",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const script = await firstSessionBlock();
    // Generous start-up time: the embedded database and models load slowly on a busy machine.
    const { child: dev, ports, dataDir } = await spawnDev("aiteacher-readme-", { stdout: "null" });
    const devErr = new Response(dev.stderr).text();
    try {
      assert.ok(
        await waitFor(`http://127.0.0.1:${ports.EDGE_PORT}/healthz`, { timeoutMs: 180_000 }),
        "edge up",
      );
      assert.ok(
        await waitFor(`http://127.0.0.1:${ports.CORE_PORT}/healthz`, { timeoutMs: 180_000 }),
        "core up",
      );
      // The blocks exactly as written, only on this run's free edge port instead of 8080.
      const run = await new Deno.Command("bash", {
        args: ["-euo", "pipefail", "-c", script.replaceAll("localhost:8080", `localhost:${ports.EDGE_PORT}`)],
        env: { PATH: Deno.env.get("PATH") ?? "" },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const out = new TextDecoder().decode(run.stdout);
      assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
      assert.match(out, /"apiVersion":"v1"/, "version");
      assert.match(out, /"accessToken":"[^"]+"/, "register signs in");
      assert.match(
        out,
        /"email":"student@uni\.example","role":"STUDENT"/,
        "GET /me with the token from login",
      );
      assert.match(out, /\{"items":\[\],"nextCursor":null\}/, "a list in the one page envelope");
      assert.doesNotMatch(out, /"error"/, out);
    } finally {
      dev.kill("SIGINT");
      await dev.status;
      await devErr;
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
