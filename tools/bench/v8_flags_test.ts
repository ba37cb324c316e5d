import assert from "node:assert/strict";
import { edgeV8Flags } from "./v8_flags.ts";

Deno.test("edgeV8Flags() reads the --v8-flags of deno.json's start:edge task", () => {
  const denoJson = (task: string) => JSON.stringify({ tasks: { "start:edge": task } });
  assert.equal(
    edgeV8Flags(denoJson("deno run -A --v8-flags=--max-semi-space-size=2 edge/main.ts")),
    "--v8-flags=--max-semi-space-size=2",
  );
  assert.equal(edgeV8Flags(denoJson("deno run -A edge/main.ts")), undefined);
});

Deno.test("the benchmarks' edge runs with the V8 flags production runs (deno.json's start:edge)", async () => {
  const flags = edgeV8Flags(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.ok(flags?.startsWith("--v8-flags="));
});
