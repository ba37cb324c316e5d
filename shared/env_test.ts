import assert from "node:assert/strict";
import { coreEnvSchema } from "../core/env.ts";
import { edgeEnvSchema } from "../edge/env.ts";
import { workersEnvSchema } from "../workers/env.ts";
import { ConfigError, parseEnv } from "./env.ts";

Deno.test("parseEnv() gives every tier working defaults with no configuration", () => {
  const core = parseEnv(coreEnvSchema, {});
  assert.equal(core.CORE_PORT, 8081);
  assert.equal(core.DATABASE_URL, undefined);
  assert.equal(core.DATA_DIR, ".data");
  assert.equal(core.DATABASE_PREPARE, true);
  assert.equal(parseEnv(edgeEnvSchema, {}).EDGE_PORT, 8080);
  assert.equal(parseEnv(workersEnvSchema, {}).WORKERS_PORT, 8082);
});

Deno.test("parseEnv() names each bad variable and its value", () => {
  assert.throws(
    () =>
      parseEnv(coreEnvSchema, { CORE_PORT: "eighty", DATABASE_URL: "not a url", DATABASE_PREPARE: "maybe" }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /CORE_PORT: .*\(got "eighty"\)/);
      assert.match(err.message, /DATABASE_URL: .*\(got "not a url"\)/);
      assert.match(err.message, /DATABASE_PREPARE: .*\(got "maybe"\)/);
      return true;
    },
  );
});

Deno.test("parseEnv() treats empty strings as unset and parses booleans and numbers", () => {
  const env = parseEnv(coreEnvSchema, {
    DATABASE_URL: "",
    DATABASE_PREPARE: "false",
    DATABASE_POOL_MAX: "3",
  });
  assert.equal(env.DATABASE_URL, undefined);
  assert.equal(env.DATABASE_PREPARE, false);
  assert.equal(env.DATABASE_POOL_MAX, 3);
});

Deno.test("a tier started with a bad variable stops with a message naming it", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../core/main.ts", import.meta.url).pathname],
    env: { CORE_PORT: "-1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 1);
  assert.match(new TextDecoder().decode(out.stderr), /CORE_PORT/);
});
