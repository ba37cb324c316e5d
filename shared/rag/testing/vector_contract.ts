/** Behaviour every vector store must show, run by each implementation's tests against a real or fake backend. */
import assert from "node:assert/strict";
import { newId } from "../../ids.ts";
import type { VectorPoint, VectorStore } from "../vector/interface.ts";

function unit(dims: number, hot: number, noise = 0): number[] {
  const v = Array.from({ length: dims }, (_, i) => (i === hot ? 1 : 0) + noise * ((i * 7919) % 13) / 13);
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / n);
}

function point(
  dims: number,
  hot: number,
  at: { faculty: string; semester: string; course: string; doc: string },
) {
  return {
    id: newId(),
    vector: unit(dims, hot, 0.1),
    payload: {
      facultyId: at.faculty,
      semesterId: at.semester,
      courseId: at.course,
      documentId: at.doc,
      page: hot + 1,
      generation: 1,
    },
  } satisfies VectorPoint;
}

/** Upsert, scoped query (never crossing a scope), refusal of unscoped queries, deletes and counts. */
export async function checkVectorStoreContract(store: VectorStore, dims: number): Promise<void> {
  await store.ensureSchema();
  await store.ensureSchema(); // idempotent
  const faculty = newId(), otherFaculty = newId(), semester = newId();
  const course = newId(), otherCourse = newId(), foreignCourse = newId();
  const doc = newId(), otherDoc = newId(), foreignDoc = newId();
  const mine = [0, 1, 2].map((h) => point(dims, h, { faculty, semester, course, doc }));
  // The other course holds the vector closest to the query: scope must still keep it out.
  const theirs = point(dims, 0, { faculty, semester, course: otherCourse, doc: otherDoc });
  theirs.vector = unit(dims, 0);
  const foreign = point(dims, 0, {
    faculty: otherFaculty,
    semester: newId(),
    course: foreignCourse,
    doc: foreignDoc,
  });
  await store.upsert([...mine, theirs, foreign]);

  const hits = await store.query(unit(dims, 0), { scope: { courseIds: [course] }, limit: 10 });
  assert.deepEqual(hits.map((h) => h.id).sort(), mine.map((p) => p.id).sort());
  assert.equal(hits[0].id, mine[0].id, "the nearest vector comes first");
  assert.ok(hits[0].score > hits[1].score);
  assert.equal(hits[0].payload.documentId, doc);
  assert.equal(hits[0].payload.page, 1);

  const both = await store.query(unit(dims, 0), { scope: { courseIds: [course, otherCourse] }, limit: 10 });
  assert.equal(both.length, 4);
  assert.equal(both[0].id, theirs.id);

  const bySemester = await store.query(unit(dims, 0), { scope: { semesterId: semester }, limit: 10 });
  assert.equal(bySemester.length, 4);
  assert.ok(!bySemester.some((h) => h.id === foreign.id));
  const byFaculty = await store.query(unit(dims, 0), { scope: { facultyId: otherFaculty }, limit: 10 });
  assert.deepEqual(byFaculty.map((h) => h.id), [foreign.id]);
  const crossed = await store.query(unit(dims, 0), {
    scope: { facultyId: otherFaculty, courseIds: [course] },
    limit: 10,
  });
  assert.deepEqual(crossed, [], "scope fields are ANDed");

  assert.deepEqual(await store.query(unit(dims, 0), { scope: { courseIds: [] }, limit: 10 }), []);
  await assert.rejects(() => store.query(unit(dims, 0), { scope: {}, limit: 10 }), /needs a scope/);

  assert.equal(await store.count({ courseIds: [course] }), 3);
  // A newer generation of the same document: cleanup keeps it and drops the old one.
  const renewed = { ...point(dims, 3, { faculty, semester, course, doc }) };
  renewed.payload.generation = 2;
  await store.upsert([renewed]);
  await store.deleteDocument(doc, { exceptGeneration: 2 });
  assert.equal(await store.count({ courseIds: [course] }), 1);
  await store.upsert([{ ...renewed, vector: unit(dims, 4) }]); // upsert replaces by id
  assert.equal(await store.count({ courseIds: [course] }), 1);
  await store.deleteDocument(doc);
  assert.equal(await store.count({ courseIds: [course] }), 0);
  assert.equal(await store.count({ courseIds: [otherCourse] }), 1);
}
