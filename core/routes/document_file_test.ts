import assert from "node:assert/strict";
import { dbTest } from "../../shared/db/testing.ts";
import { createDocumentsTestbed } from "../documents/testing.ts";

const NOTES = new TextEncoder().encode("# Optics\n\nLight bends when it passes from air into water.\n");

dbTest(
  "[core] GET /v1/documents/:id/file gives the document's bytes to readers of its course",
  async (database) => {
    const bed = await createDocumentsTestbed(database, "qdrant");
    try {
      const { world, core } = bed;
      const { createdBody } = await bed.upload(world.academicOwn, world.courseA, {
        name: "optics.md",
        type: "md",
        bytes: NOTES,
      });
      const path = `/v1/documents/${createdBody.documentId}/file`;

      const res = await core.asUser(world.studentEnrolled).request("GET", path);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/markdown");
      assert.equal(res.headers.get("cache-control"), "private, max-age=300");
      assert.match(res.headers.get("content-disposition") ?? "", /^inline; filename="optics\.md"/);
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), NOTES);

      // Outside the course (another course's student) it does not exist; anonymous callers are refused.
      const other = await core.asUser(world.studentOther).request("GET", path);
      assert.equal(other.status, 404);
      await other.body?.cancel();
      const anonymous = await core.anonymous.request("GET", path);
      assert.equal(anonymous.status, 401);
      await anonymous.body?.cancel();
    } finally {
      await bed.close();
    }
  },
);

dbTest(
  "[core] GET /v1/documents/:id/file answers 409 to its uploader while the file is not uploaded, 404 to students",
  async (database) => {
    const bed = await createDocumentsTestbed(database, "qdrant");
    try {
      const { world, core } = bed;
      const created = await core.asUser(world.academicOwn).request(
        "POST",
        `/v1/courses/${world.courseA}/documents`,
        { fileName: "later.pdf", type: "pdf", sizeBytes: 100 },
      );
      const { documentId } = await created.json();
      const res = await core.asUser(world.academicOwn).request("GET", `/v1/documents/${documentId}/file`);
      assert.equal(res.status, 409);
      assert.equal((await res.json()).error.code, "CONFLICT");
      // An unfinished upload is the uploader's work: students do not see the document at all.
      const hidden = await core.asUser(world.studentEnrolled).request(
        "GET",
        `/v1/documents/${documentId}/file`,
      );
      assert.equal(hidden.status, 404);
    } finally {
      await bed.close();
    }
  },
);
