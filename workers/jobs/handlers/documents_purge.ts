import { eq } from "drizzle-orm";
import { documents } from "@app/shared/db/schema/rag.ts";
import { purgeDocumentChunks } from "@app/shared/rag/chunk_writer.ts";
import { defineJob } from "../registry.ts";

/**
 * `documents.purge`: removes a soft-deleted document's vectors, chunk rows and stored bytes. Search stopped
 * returning them when the row was soft-deleted; this is cleanup, idempotent (deleting what is gone is a no-op).
 */
export const purgeDocument = defineJob("documents.purge", async ({ database, deps, payload }) => {
  const services = deps.documents;
  if (!services) throw new Error("This workers process has no document services configured");
  const [doc] = await database.db.select().from(documents).where(eq(documents.id, payload.documentId)).limit(
    1,
  );
  if (!doc) return { result: { skipped: "no such document" } };
  if (!doc.deletedAt) return { result: { skipped: "document is live" } };
  await purgeDocumentChunks(database, services.vectorStore, doc.id);
  if (doc.storageKey) await (await services.storage()).deleteObject(doc.storageKey);
  return { result: { documentId: doc.id } };
});
