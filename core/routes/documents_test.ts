import assert from "node:assert/strict";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../../shared/db/client.ts";
import { auditEvents } from "../../shared/db/schema/audit.ts";
import { jobs } from "../../shared/db/schema/jobs.ts";
import { documentChunks, documents } from "../../shared/db/schema/rag.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { UploadSigner } from "../../shared/documents/storage/signing.ts";
import { PDF_FIXTURES, readPdfFixture } from "../../shared/documents/testing/fixtures.ts";
import { createDocumentsTestbed, TEST_UPLOAD_SECRET } from "../documents/testing.ts";

/** The notifications queued for `userId` about `documentId`: their kinds, in the order queued. */
async function documentNoticesFor(database: Database, userId: string, documentId: string): Promise<string[]> {
  const rows = await database.db.select({ payload: jobs.payload }).from(jobs).where(and(
    eq(jobs.type, "notifications.deliver"),
    sql`${jobs.payload}->>'userId' = ${userId}`,
    sql`${jobs.payload}->'data'->>'documentId' = ${documentId}`,
  )).orderBy(jobs.createdAt);
  return rows.map((r) => (r.payload as { kind: string }).kind);
}

const NOTES = new TextEncoder().encode(
  "# Statics\n\nA truss is a structure of members joined at nodes. Each member carries axial force only.\n",
);

dbTest(
  "[core] a document goes from upload URL to ready with pages, chunks and progress",
  async (database) => {
    const bed = await createDocumentsTestbed(database, "qdrant");
    try {
      const { world, core } = bed;
      const { created, createdBody, put, putBody } = await bed.upload(world.academicOwn, world.courseA, {
        name: "statics.md",
        type: "md",
        bytes: NOTES,
      });
      assert.equal(created.status, 201);
      assert.match(createdBody.uploadUrl as string, /^http:\/\/core\.test\/v1\/uploads\/[0-9a-f-]+\?/);
      assert.equal(createdBody.maxBytes, NOTES.length);
      assert.equal(put.status, 202);
      assert.equal(typeof putBody.jobId, "string");
      const id = createdBody.documentId as string;

      const queued = await core.asUser(world.academicOwn).request("GET", `/v1/documents/${id}`);
      assert.equal(queued.status, 200);
      assert.equal((await queued.json()).status, "queued");
      // Completion after a local upload is idempotent and names the same job.
      const again = await core.asUser(world.academicOwn).request("POST", `/v1/documents/${id}/complete`);
      assert.equal(again.status, 202);
      assert.equal((await again.json()).jobId, putBody.jobId);

      assert.equal(await bed.runJob(putBody.jobId as string), "succeeded");
      assert.deepEqual(
        await documentNoticesFor(database, world.academicOwn.id, id),
        ["document.ingested"],
        "the uploader is told the document is ready (in the app, and by mail per their preferences)",
      );
      const list = await core.asUser(world.studentEnrolled).request(
        "GET",
        `/v1/courses/${world.courseA}/documents`,
      );
      assert.equal(list.status, 200);
      const [doc] = (await list.json()).items;
      assert.equal(doc.id, id);
      assert.equal(doc.status, "ready");
      assert.equal(doc.type, "md");
      assert.equal(doc.pages, 1);
      assert.ok(doc.chunks >= 1);
      assert.equal(doc.progress, 1);
      assert.equal(doc.error, null);
      const [job] = await database.db.select().from(jobs).where(eq(jobs.id, putBody.jobId as string));
      assert.equal(job.progress, 100);

      // Re-running the ingest (a crash-retry or a reindex) converges: same chunk count, no duplicate rows.
      const reindex = await core.asUser(world.academicOwn).request("POST", `/v1/documents/${id}/reindex`);
      assert.equal(reindex.status, 202);
      assert.equal(await bed.runJob((await reindex.json()).jobId), "succeeded");
      const rows = await database.db.select().from(documentChunks).where(eq(documentChunks.documentId, id));
      assert.equal(rows.length, doc.chunks);
      assert.equal(await bed.store.count({ courseIds: [world.courseA] }), doc.chunks);
      const actions =
        (await database.db.select().from(auditEvents).where(eq(auditEvents.target, `document:${id}`)))
          .map((e) => e.action).sort();
      assert.deepEqual(actions, ["document.reindex", "document.upload"]);
    } finally {
      await bed.close();
    }
  },
);

dbTest("[core] document routes refuse students, outsiders and bad declarations", async (database) => {
  const bed = await createDocumentsTestbed(database, "qdrant");
  try {
    const { world, core } = bed;
    const body = { fileName: "a.pdf", type: "pdf", sizeBytes: 100 };
    const path = `/v1/courses/${world.courseA}/documents`;
    assert.equal((await core.asUser(world.studentEnrolled).request("POST", path, body)).status, 403);
    assert.equal((await core.asUser(world.academicOther).request("POST", path, body)).status, 404);
    assert.equal((await core.asUser(world.studentOther).request("GET", path)).status, 404);
    assert.equal((await core.anonymous.request("GET", path)).status, 401);
    const exe = await core.asUser(world.admin).request("POST", path, {
      ...body,
      type: "application/x-msdownload",
    });
    assert.equal(exe.status, 415);
    const huge = await core.asUser(world.admin).request("POST", path, { ...body, sizeBytes: 1e12 });
    assert.equal(huge.status, 413);
    assert.equal((await core.asUser(world.admin).request("POST", path, { fileName: "x" })).status, 400);
  } finally {
    await bed.close();
  }
});

dbTest(
  "[core] the encrypted PDF ends failed with a readable reason and the job ends without retries",
  async (database) => {
    const bed = await createDocumentsTestbed(database, "qdrant");
    try {
      const { world, core } = bed;
      const bytes = await readPdfFixture(PDF_FIXTURES.encrypted);
      const { createdBody, putBody } = await bed.upload(world.academicOwn, world.courseA, {
        name: "locked.pdf",
        type: "pdf",
        bytes,
      });
      assert.equal(await bed.runJob(putBody.jobId as string), "dead");
      const res = await core.asUser(world.academicOwn).request(
        "GET",
        `/v1/documents/${createdBody.documentId}`,
      );
      const doc = await res.json();
      assert.equal(doc.status, "failed");
      assert.match(doc.error, /password-protected/);
      assert.deepEqual(
        await documentNoticesFor(database, world.academicOwn.id, createdBody.documentId as string),
        ["document.failed"],
        "the uploader is told why the document failed",
      );
      const [job] = await database.db.select().from(jobs).where(eq(jobs.id, putBody.jobId as string));
      assert.equal(job.status, "dead");
      assert.equal(job.attempts, 1);
      assert.match(job.lastError ?? "", /password-protected/);
    } finally {
      await bed.close();
    }
  },
);

dbTest(
  "[core] the same file uploaded twice to a course is refused with the existing document",
  async (database) => {
    const bed = await createDocumentsTestbed(database, "qdrant");
    try {
      const { world } = bed;
      const file = { name: "statics.md", type: "md", bytes: NOTES };
      const first = await bed.upload(world.academicOwn, world.courseA, file);
      assert.equal(first.put.status, 202);
      const second = await bed.upload(world.academicOwn, world.courseA, { ...file, name: "copy.md" });
      assert.equal(second.put.status, 409);
      const error = second.putBody.error as { details: { existingDocumentId: string } };
      assert.equal(error.details.existingDocumentId, first.createdBody.documentId);
      // The refused bytes are gone: the same URL can be used again with other content.
      const [row] = await database.db.select().from(documents)
        .where(eq(documents.id, second.createdBody.documentId as string));
      assert.equal(row.status, "awaiting_upload");
      const storage = await bed.core.services.documents.storage();
      await assert.rejects(() => storage.getObject(row.storageKey!));
      // Another course may hold the same file.
      const other = await bed.upload(world.admin, world.courseB, file);
      assert.equal(other.put.status, 202);
    } finally {
      await bed.close();
    }
  },
);

dbTest("[core] a tampered or expired upload URL is rejected through the route", async (database) => {
  const bed = await createDocumentsTestbed(database, "qdrant");
  try {
    const { world, core } = bed;
    const created = await core.asUser(world.academicOwn).request(
      "POST",
      `/v1/courses/${world.courseA}/documents`,
      {
        fileName: "n.md",
        type: "md",
        sizeBytes: NOTES.length,
      },
    );
    const grant = await created.json();
    const url = new URL(grant.uploadUrl);
    url.searchParams.set("max", String(NOTES.length * 10));
    const tampered = await core.app.request(url.pathname + url.search, { method: "PUT", body: NOTES });
    assert.equal(tampered.status, 403);
    const params = await new UploadSigner(TEST_UPLOAD_SECRET).sign({
      documentId: grant.documentId,
      type: "md",
      maxBytes: NOTES.length,
      expiresAt: Math.floor(Date.now() / 1000) - 5,
    });
    const expired = await core.app.request(`${url.pathname}?${params}`, { method: "PUT", body: NOTES });
    assert.equal(expired.status, 401);
    assert.match((await expired.json()).error.message, /expired/);
    const complete = await core.asUser(world.academicOwn).request(
      "POST",
      `/v1/documents/${grant.documentId}/complete`,
    );
    assert.equal(complete.status, 409);
  } finally {
    await bed.close();
  }
});
