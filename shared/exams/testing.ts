/**
 * Test helpers for exams: course material from a real PDF written as live chunks, and the notifications queued for a
 * user. Tests run exam jobs with `runJobAsWorker` (workers/jobs/testing.ts).
 */
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { documentChunks, documents } from "../db/schema/rag.ts";
import { jobs } from "../db/schema/jobs.ts";
import { processDocument } from "../documents/mod.ts";
import { indexLiveDocumentTerms } from "../rag/chunk_writer.ts";

const PDF = new URL("../../fixtures/pdfs/en_cnx_simultaneous_equations_CC-BY-3.0.pdf", import.meta.url);
let processed: ReturnType<typeof processDocument> | undefined;

/** Writes the simultaneous-equations PDF as a ready document with live chunks of a course; returns the document id. */
export async function seedPdfMaterial(
  database: Database,
  course: { courseId: string; facultyId: string; semesterId: string | null },
): Promise<string> {
  processed ??= Deno.readFile(PDF).then((bytes) => processDocument(bytes, "pdf"));
  const { chunks, pageCount } = await processed;
  const [doc] = await database.db.insert(documents).values({
    ...course,
    title: "Simultaneous equations",
    fileName: "simultaneous_equations.pdf",
    mime: "application/pdf",
    sizeBytes: 1,
    sha256: crypto.randomUUID(),
    status: "ready",
    pages: pageCount,
    chunkCount: chunks.length,
    chunkGeneration: 1,
  }).returning();
  await database.db.insert(documentChunks).values(chunks.map((c) => ({
    documentId: doc.id,
    ...course,
    generation: 1,
    ordinal: c.ordinal,
    pageStart: c.pageStart,
    pageEnd: c.pageEnd,
    heading: c.heading ?? null,
    text: c.text,
    searchText: c.text.toLowerCase(),
  })));
  await indexLiveDocumentTerms(database, doc.id);
  return doc.id;
}

/** Kinds of the notifications queued for a user (delivered or not). */
export async function notificationKindsFor(database: Database, userId: string): Promise<string[]> {
  const rows = await database.db.select({ payload: jobs.payload }).from(jobs).where(and(
    eq(jobs.type, "notifications.deliver"),
    sql`${jobs.payload}->>'userId' = ${userId}`,
  ));
  return rows.map((r) => (r.payload as { kind: string }).kind);
}
