import assert from "node:assert/strict";
import { coreEnvSchema } from "@app/core/env.ts";
import { parseEnv } from "../../env.ts";
import { createTutorModel } from "./mod.ts";
import { OfflineTutor } from "./offline.ts";
import { OpenAiModel } from "./openai.ts";

Deno.test("createTutorModel() defaults to the offline tutor and builds the OpenAI model when configured", () => {
  const offline = createTutorModel(parseEnv(coreEnvSchema, {}));
  assert.ok(offline instanceof OfflineTutor);
  assert.equal(offline.modelFor("chat"), "offline-extractive");
  const remote = createTutorModel(parseEnv(coreEnvSchema, {
    TUTOR_MODEL: "openai",
    OPENAI_BASE_URL: "http://127.0.0.1:1/v1",
    OPENAI_CHAT_MODEL: "qwen2.5-7b-instruct",
  }));
  assert.ok(remote instanceof OpenAiModel);
  assert.equal(remote.modelFor("chat"), "qwen2.5-7b-instruct");
  assert.equal(remote.modelFor("exam-gen"), "gpt-4o");
  assert.throws(() => parseEnv(coreEnvSchema, { TUTOR_MODEL: "llama" }), /TUTOR_MODEL/);
});
