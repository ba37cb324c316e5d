import assert from "node:assert/strict";

Deno.test("the public OpenAPI document passes `redocly lint` (recommended rules) with no errors and no warnings", async () => {
  const root = new URL("../../", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "npm:@redocly/cli@2.77.0", "lint", "--format=stylish", "shared/api/openapi.json"],
    cwd: root,
    env: { REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  assert.match(text, /valid/);
  assert.doesNotMatch(text, /\b(error|warning)s?\b.*:/i, text);
});
