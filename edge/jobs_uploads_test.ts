/**
 * Job and upload rules as clients meet them, through the edge: the status URLs core hands out are edge URLs, a
 * job's owner may retry it (core checks the ownership), and unfinished uploads are neither shown to students nor
 * kept on show after their upload URL expired.
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { createAcademicWorld } from "../core/academics/testing.ts";
import { documents, jobs } from "../shared/db/schema/mod.ts";
import { dbTest } from "../shared/db/testing.ts";
import { enqueueJob } from "../shared/jobs/enqueue.ts";
import { createTestStack } from "../testing/stack.ts";

const json = { "content-type": "application/json" };

dbTest(
  "[edge] statusUrl in an accepted job's answer is an edge URL its caller can follow",
  async (database) => {
    // Local uploads write their bytes and signing key under DATA_DIR: a directory of this test's own.
    const dataDir = await Deno.makeTempDir({ prefix: "edge-jobs-" });
    const stack = createTestStack(database, { coreEnv: { DATA_DIR: dataDir } });
    const world = await createAcademicWorld(database);
    const admin = await stack.bearer(world.admin);
    const sent = await stack.edge.request("/api/v1/notifications", {
      method: "POST",
      headers: { ...admin, ...json },
      body: JSON.stringify({ userId: world.studentEnrolled.id, title: "Room change" }),
    });
    assert.equal(sent.status, 202);
    const { jobId, statusUrl } = await sent.json();
    assert.equal(statusUrl, `/api/v1/jobs/${jobId}`);
    const status = await stack.edge.request(statusUrl, { headers: admin });
    assert.equal(status.status, 200);
    assert.equal((await status.json()).id, jobId);

    // A document's upload, then its completion: the answer names the ingestion job by its edge URL too.
    const academic = await stack.bearer(world.academicOwn);
    const text = "Eigenvalues and eigenvectors of a square matrix.\n";
    const grant = await stack.edge.request(`/api/v1/courses/${world.courseA}/documents`, {
      method: "POST",
      headers: { ...academic, ...json },
      body: JSON.stringify({ fileName: "notes.txt", type: "txt", sizeBytes: text.length }),
    });
    assert.equal(grant.status, 201);
    const { documentId, uploadUrl } = await grant.json();
    const url = new URL(uploadUrl);
    const put = await stack.edge.request(`${url.pathname}${url.search}`, {
      method: "PUT",
      headers: { "content-type": "text/plain" },
      body: text,
    });
    assert.equal(put.status, 202);
    const done = await stack.edge.request(`/api/v1/documents/${documentId}/complete`, {
      method: "POST",
      headers: academic,
    });
    assert.equal(done.status, 202);
    const completed = await done.json();
    assert.equal(completed.statusUrl, `/api/v1/jobs/${completed.jobId}`);
    assert.equal((await stack.edge.request(completed.statusUrl, { headers: academic })).status, 200);
    await Deno.remove(dataDir, { recursive: true });
  },
);

dbTest(
  "[edge] POST /jobs/:id/retry lets a dead job's owner and admins in, and no one else",
  async (database) => {
    const stack = createTestStack(database);
    const world = await createAcademicWorld(database);
    const deadJob = async () => {
      const job = await enqueueJob(database.db, {
        type: "notifications.deliver",
        payload: { userId: world.academicOwn.id, kind: "announcement", title: "x", body: "", data: {} },
        ownerUserId: world.academicOwn.id,
      });
      await database.db.update(jobs).set({ status: "dead", finishedAt: new Date() }).where(
        eq(jobs.id, job.id),
      );
      return job.id;
    };
    const retry = async (id: string, user: { id: string; role: "ADMIN" | "ACADEMIC" | "STUDENT" }) =>
      await stack.edge.request(`/api/v1/jobs/${id}/retry`, {
        method: "POST",
        headers: await stack.bearer(user),
      });

    const own = await deadJob();
    assert.equal((await retry(own, world.studentEnrolled)).status, 404, "a stranger does not see the job");
    assert.equal((await retry(own, world.academicOther)).status, 404);
    const byOwner = await retry(own, world.academicOwn);
    assert.equal(byOwner.status, 202);
    assert.equal((await byOwner.json()).status, "queued");
    assert.equal((await retry(await deadJob(), world.admin)).status, 202);
  },
);

dbTest(
  "[edge] a document awaiting its upload is hidden from students, and from everyone once its URL expired",
  async (database) => {
    // Upload grants sign with a key kept under DATA_DIR: a directory of this test's own.
    const dataDir = await Deno.makeTempDir({ prefix: "edge-uploads-" });
    const stack = createTestStack(database, { coreEnv: { DATA_DIR: dataDir } });
    const world = await createAcademicWorld(database);
    const academic = await stack.bearer(world.academicOwn);
    const student = await stack.bearer(world.studentEnrolled);
    const grant = await stack.edge.request(`/api/v1/courses/${world.courseA}/documents`, {
      method: "POST",
      headers: { ...academic, ...json },
      body: JSON.stringify({ fileName: "draft.pdf", type: "pdf", sizeBytes: 1000 }),
    });
    assert.equal(grant.status, 201);
    const { documentId } = await grant.json();
    const listed = async (headers: Record<string, string>) => {
      const res = await stack.edge.request(`/api/v1/courses/${world.courseA}/documents`, { headers });
      assert.equal(res.status, 200);
      return (await res.json()).items.map((d: { id: string }) => d.id);
    };
    assert.ok(
      (await listed(academic)).includes(documentId),
      "the uploader's managers see the pending upload",
    );
    assert.ok(!(await listed(student)).includes(documentId), "students never see an unfinished upload");
    assert.equal(
      (await stack.edge.request(`/api/v1/documents/${documentId}`, { headers: student })).status,
      404,
    );
    assert.equal(
      (await stack.edge.request(`/api/v1/documents/${documentId}`, { headers: academic })).status,
      200,
    );

    // Abandoned: the upload URL (UPLOAD_URL_TTL_SECONDS, 900 s by default) has expired.
    const ttl = stack.coreServices.documents.uploadUrlTtlSeconds;
    await database.db.update(documents).set({ createdAt: new Date(Date.now() - (ttl + 1) * 1000) })
      .where(eq(documents.id, documentId));
    assert.ok(!(await listed(academic)).includes(documentId));
    assert.equal(
      (await stack.edge.request(`/api/v1/documents/${documentId}`, { headers: academic })).status,
      404,
    );
    await Deno.remove(dataDir, { recursive: true });
  },
);
