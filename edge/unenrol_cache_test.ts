/**
 * Unenrolment through the edge: a student removed from a course stops getting the course's cached search answers at
 * once, not when the edge's grant lapses.
 */
import assert from "node:assert/strict";
import { createAcademicWorld } from "../core/academics/testing.ts";
import { testCoreEnv } from "../core/auth/testing.ts";
import { dbTest } from "../shared/db/testing.ts";
import { createDocumentServices } from "../shared/documents/services.ts";
import { createHashEmbedder } from "../shared/rag/testing/hash_embedder.ts";
import type { VectorStore } from "../shared/rag/vector/interface.ts";
import { createTestStack } from "../testing/stack.ts";

const json = { "content-type": "application/json" };

dbTest(
  "[edge] an unenrolled student gets no cached search answer of the course (X-Cache is never HIT)",
  async (database) => {
    // A vector store that answers (with nothing): search is then not degraded and its answers are cacheable, also
    // on a Postgres without pgvector.
    const vectorStore = {
      name: "pgvector",
      ensureSchema: () => Promise.resolve(),
      query: () => Promise.resolve([]),
      count: () => Promise.resolve(0),
    } as unknown as VectorStore;
    const documents = createDocumentServices(testCoreEnv(), database, {
      embedder: createHashEmbedder(),
      vectorStore,
    });
    const stack = createTestStack(database, { coreOverrides: { documents } });
    const world = await createAcademicWorld(database);
    const student = await stack.bearer(world.studentEnrolled);
    const search = () =>
      stack.edge.request("/api/v1/search", {
        method: "POST",
        headers: { ...student, ...json },
        body: JSON.stringify({ courseId: world.courseA, query: "eigenvalues of a matrix" }),
      });
    const first = await search();
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("x-cache"), "MISS");
    const second = await search();
    assert.equal(second.status, 200);
    assert.equal(second.headers.get("x-cache"), "HIT", "the answer is cached for the course's members");

    const removed = await stack.edge.request(
      `/api/v1/courses/${world.courseA}/enrollments/${world.enrollmentA}`,
      { method: "DELETE", headers: await stack.bearer(world.academicOwn) },
    );
    assert.equal(removed.status, 204);

    const after = await search();
    assert.notEqual(after.headers.get("x-cache"), "HIT");
    assert.equal(after.status, 404, "core refuses a course the student no longer reads");
    // A member still gets the cached answer: only the removed student's grant ended.
    const other = await stack.bearer(world.academicOwn);
    const member = await stack.edge.request("/api/v1/search", {
      method: "POST",
      headers: { ...other, ...json },
      body: JSON.stringify({ courseId: world.courseA, query: "eigenvalues of a matrix" }),
    });
    assert.equal(member.status, 200);
  },
);
