import assert from "node:assert/strict";
import { GENERATED_FILES, generatedFiles } from "./generate.ts";

Deno.test("the committed manifest, OpenAPI document and client types match core's routes (run `deno task api:generate`)", async () => {
  const root = new URL("../../", import.meta.url);
  const fresh = await generatedFiles();
  assert.deepEqual(Object.keys(fresh).sort(), Object.values(GENERATED_FILES).sort());
  for (const [path, text] of Object.entries(fresh)) {
    const committed = await Deno.readTextFile(new URL(path, root)).catch(() => "");
    assert.ok(committed === text, `${path} is stale: run \`deno task api:generate\` and commit the result`);
  }
});
