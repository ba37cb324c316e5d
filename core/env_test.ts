import assert from "node:assert/strict";
import { parseEnv } from "../shared/env.ts";
import { edgeEnvSchema } from "../edge/env.ts";
import { workersEnvSchema } from "../workers/env.ts";
import { coreEnvSchema } from "./env.ts";

Deno.test("core and workers listen on loopback unless an address is configured; the edge on every interface", () => {
  assert.equal(parseEnv(coreEnvSchema, {}).CORE_HOSTNAME, "127.0.0.1");
  assert.equal(parseEnv(workersEnvSchema, {}).WORKERS_HOSTNAME, "127.0.0.1");
  assert.equal(parseEnv(edgeEnvSchema, {}).EDGE_HOSTNAME, "0.0.0.0");
  assert.equal(parseEnv(coreEnvSchema, { CORE_HOSTNAME: "0.0.0.0" }).CORE_HOSTNAME, "0.0.0.0");
});
