import assert from "node:assert/strict";
import { ConfigError, parseEnv } from "../../env.ts";
import { z } from "zod";
import { documentsEnv } from "../env.ts";
import { chunkOptionsFrom, createDocumentStorage } from "./mod.ts";
import { LocalDocumentStorage } from "./local.ts";
import { S3DocumentStorage } from "./s3.ts";

const schema = z.object({ ...documentsEnv, DATA_DIR: z.string() });

Deno.test("createDocumentStorage() defaults to local disk with a signing secret generated once and kept", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "storage_mod_test_" });
  try {
    const env = parseEnv(schema, { DATA_DIR: dataDir });
    assert.equal(env.STORAGE, "local");
    assert.equal(env.UPLOAD_MAX_BYTES, 52_428_800);
    assert.equal(env.UPLOAD_URL_TTL_SECONDS, 900);
    const first = await createDocumentStorage(env);
    assert.ok(first instanceof LocalDocumentStorage);
    const secret = await Deno.readTextFile(`${dataDir}/keys/upload_signing_secret`);
    assert.match(secret, /^[0-9a-f]{64}$/);
    // A URL signed before a restart still verifies after it.
    const grant = await first.createUploadUrl({ documentId: "d1", type: "txt", maxBytes: 5 });
    const second = await createDocumentStorage(env) as LocalDocumentStorage;
    const stored = await second.receiveUpload("d1", {
      query: new URL(grant.url).searchParams,
      body: new Blob(["hello"]).stream(),
      headers: new Headers(),
    });
    assert.equal(stored.size, 5);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("createDocumentStorage() builds S3 storage from S3_* variables and names the missing ones", async () => {
  const base = { DATA_DIR: ".data", STORAGE: "s3" };
  await assert.rejects(
    () => createDocumentStorage(parseEnv(schema, { ...base, S3_BUCKET: "b" })),
    (err) =>
      err instanceof ConfigError && /S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY/.test(err.message),
  );
  const storage = await createDocumentStorage(parseEnv(schema, {
    ...base,
    S3_ENDPOINT: "http://minio:9000",
    S3_BUCKET: "b",
    S3_ACCESS_KEY_ID: "k",
    S3_SECRET_ACCESS_KEY: "s",
    S3_FORCE_PATH_STYLE: "true",
  }));
  assert.ok(storage instanceof S3DocumentStorage);
  assert.equal(storage.objectUrl(storage.keyFor("d")).toString(), "http://minio:9000/b/documents/d");
});

Deno.test("chunkOptionsFrom() reads chunk sizes and keeps the overlap below the target", () => {
  const env = parseEnv(schema, {
    DATA_DIR: ".data",
    CHUNK_TARGET_TOKENS: "100",
    CHUNK_OVERLAP_TOKENS: "500",
  });
  assert.deepEqual(chunkOptionsFrom(env), { targetTokens: 100, overlapTokens: 99, minTokens: 60 });
});
