import assert from "node:assert/strict";
import { startFakeQdrant } from "../testing/fake_qdrant.ts";
import { checkVectorStoreContract } from "../testing/vector_contract.ts";
import { createQdrantStore } from "./qdrant.ts";

Deno.test("Qdrant store upserts, queries only inside the scope, deletes and counts (fake Qdrant)", async () => {
  const qdrant = startFakeQdrant({ apiKey: "secret-key" });
  try {
    const store = createQdrantStore({
      url: qdrant.url,
      apiKey: "secret-key",
      collection: "chunks",
      dimensions: 8,
      shardNumber: 3,
      replicationFactor: 2,
    });
    await checkVectorStoreContract(store, 8);
  } finally {
    await qdrant.close();
  }
});

Deno.test("Qdrant store creates one collection with a tenant index on faculty_id (fake Qdrant)", async () => {
  const qdrant = startFakeQdrant();
  try {
    const store = createQdrantStore({ url: qdrant.url, collection: "c1", dimensions: 4, shardNumber: 6 });
    await store.ensureSchema();
    const collection = qdrant.collections.get("c1")!;
    assert.deepEqual(collection.config.vectors, { size: 4, distance: "Cosine" });
    assert.equal(collection.config.shard_number, 6);
    assert.equal(collection.config.replication_factor, 1);
    assert.deepEqual(collection.indexes, {
      faculty_id: { type: "keyword", is_tenant: true },
      semester_id: "keyword",
      course_id: "keyword",
      document_id: "keyword",
    });
    await assert.rejects(
      () => createQdrantStore({ url: qdrant.url, collection: "c1", dimensions: 6 }).ensureSchema(),
      /holds 4-d vectors but the embedder makes 6-d/,
    );
  } finally {
    await qdrant.close();
  }
});

Deno.test("Qdrant store rejects while the server is down and works again when it is back (fake Qdrant)", async () => {
  const qdrant = startFakeQdrant();
  try {
    const store = createQdrantStore({ url: qdrant.url, collection: "c2", dimensions: 2 });
    await store.ensureSchema();
    qdrant.failing = true;
    await assert.rejects(() => store.query([1, 0], { scope: { courseIds: ["x"] }, limit: 3 }));
    qdrant.failing = false;
    assert.deepEqual(await store.query([1, 0], { scope: { courseIds: ["x"] }, limit: 3 }), []);
  } finally {
    await qdrant.close();
  }
});
