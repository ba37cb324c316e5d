import assert from "node:assert/strict";
import { freshTestDatabase, sharedTestDatabase } from "../../db/testing.ts";
import { checkVectorStoreContract } from "../testing/vector_contract.ts";
import { createPgvectorStore } from "./pgvector.ts";

Deno.test({
  name: "[pglite] pgvector store upserts, queries only inside the scope, deletes and counts",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const database = await sharedTestDatabase("pglite");
    await checkVectorStoreContract(
      createPgvectorStore(database, { dimensions: 8, table: "test_vectors_8" }),
      8,
    );
  },
});

Deno.test({
  name: "[pglite] pgvector store refuses a table made for another dimension with a clear message",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const database = await freshTestDatabase("pglite");
    try {
      await createPgvectorStore(database, { dimensions: 4, table: "dim_vectors" }).ensureSchema();
      await assert.rejects(
        () => createPgvectorStore(database, { dimensions: 6, table: "dim_vectors" }).ensureSchema(),
        /holds 4-d vectors but the embedder makes 6-d/,
      );
    } finally {
      await database.close();
    }
  },
});

const postgresUrl = Deno.env.get("DATABASE_URL");
if (postgresUrl) {
  Deno.test({
    name:
      "[postgres] pgvector store works where the extension exists and otherwise fails with a clear message",
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const database = await sharedTestDatabase("postgres");
      const store = createPgvectorStore(database, { dimensions: 8, table: "test_vectors_8" });
      if (database.hasVector) {
        await checkVectorStoreContract(store, 8);
      } else {
        await assert.rejects(
          () => store.ensureSchema(),
          /pgvector extension is not available.*VECTOR_STORE=qdrant/,
        );
      }
    },
  });
}
