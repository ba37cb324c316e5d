import assert from "node:assert/strict";
import { dbTest } from "../../shared/db/testing.ts";
import { S3DocumentStorage } from "../../shared/documents/storage/s3.ts";
import { startFakeS3 } from "../../shared/documents/testing/fake_s3.ts";
import { createDocumentsTestbed } from "../documents/testing.ts";

const KEYS = { accessKeyId: "course-docs-test", secretAccessKey: "course-docs-secret-for-tests-only" };
const NOTES = new TextEncoder().encode(
  "Bending moments in beams are found from equilibrium of a free body.\n",
);

dbTest(
  "[core] S3 uploads: the client PUTs to the bucket, complete queues ingestion once, duplicates are removed",
  async (database) => {
    const s3 = startFakeS3({ bucket: "course-files", secrets: { [KEYS.accessKeyId]: KEYS.secretAccessKey } });
    const storage = new S3DocumentStorage({
      endpoint: s3.endpoint,
      region: "us-east-1",
      bucket: "course-files",
      ...KEYS,
      forcePathStyle: true,
      keyPrefix: "",
      defaultTtlSeconds: 900,
      retries: 0,
    });
    const bed = await createDocumentsTestbed(database, "qdrant", { storage });
    try {
      const { world, core } = bed;
      const as = core.asUser(world.academicOwn);
      const start = async () => {
        const res = await as.request("POST", `/v1/courses/${world.courseA}/documents`, {
          fileName: "beams.txt",
          type: "text/plain",
          sizeBytes: NOTES.length,
        });
        assert.equal(res.status, 201);
        return await res.json();
      };
      const first = await start();
      assert.ok(first.uploadUrl.startsWith(`${s3.endpoint}/course-files/`));
      const early = await as.request("POST", `/v1/documents/${first.documentId}/complete`);
      assert.equal(early.status, 404, "nothing in the bucket yet");
      const put = await fetch(first.uploadUrl, { method: "PUT", headers: first.uploadHeaders, body: NOTES });
      assert.equal(put.status, 200, await put.text());
      const done = await as.request("POST", `/v1/documents/${first.documentId}/complete`);
      assert.equal(done.status, 202);
      const { jobId } = await done.json();
      const again = await as.request("POST", `/v1/documents/${first.documentId}/complete`);
      assert.equal((await again.json()).jobId, jobId);
      assert.equal(await bed.runJob(jobId), "succeeded");
      const search = await bed.search(world.studentEnrolled, {
        courseId: world.courseA,
        query: "bending moments",
      });
      assert.equal((await search.json()).results[0].documentId, first.documentId);

      const second = await start();
      await (await fetch(second.uploadUrl, { method: "PUT", headers: second.uploadHeaders, body: NOTES }))
        .body?.cancel();
      const dup = await as.request("POST", `/v1/documents/${second.documentId}/complete`);
      assert.equal(dup.status, 409);
      assert.equal((await dup.json()).error.details.existingDocumentId, first.documentId);
      assert.equal(s3.objects.size, 1, "the duplicate object was deleted from the bucket");
    } finally {
      await bed.close();
      await s3.close();
    }
  },
);
