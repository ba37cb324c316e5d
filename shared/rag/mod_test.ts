import assert from "node:assert/strict";
import { coreEnvSchema } from "../../core/env.ts";
import { parseEnv } from "../env.ts";
import { createEmbedder, createVectorStore } from "./mod.ts";
import type { Database } from "../db/client.ts";

Deno.test("createEmbedder() and createVectorStore() follow EMBEDDINGS and VECTOR_STORE", () => {
  const defaults = parseEnv(coreEnvSchema, {});
  assert.equal(defaults.EMBEDDINGS, "offline");
  assert.equal(defaults.VECTOR_STORE, "pgvector");
  const offline = createEmbedder(defaults);
  assert.equal(offline.dimensions, 512);
  const database = { kind: "pglite" } as Database;
  assert.equal(createVectorStore(defaults, database, offline).name, "pgvector");

  const openai = createEmbedder(parseEnv(coreEnvSchema, {
    EMBEDDINGS: "openai",
    OPENAI_API_KEY: "sk-x",
    OPENAI_EMBEDDING_DIMENSIONS: "256",
  }));
  assert.equal(openai.dimensions, 256);
  assert.equal(openai.englishOnly, false);
  const qdrantEnv = parseEnv(coreEnvSchema, { VECTOR_STORE: "qdrant", QDRANT_URL: "http://127.0.0.1:6333" });
  assert.equal(createVectorStore(qdrantEnv, database, openai).name, "qdrant");
});

Deno.test("createEmbedder() and createVectorStore() name the missing variable", () => {
  assert.throws(() => createEmbedder(parseEnv(coreEnvSchema, { EMBEDDINGS: "openai" })), /OPENAI_API_KEY/);
  const env = parseEnv(coreEnvSchema, { VECTOR_STORE: "qdrant" });
  assert.throws(() => createVectorStore(env, {} as Database, createEmbedder(env)), /QDRANT_URL/);
});
