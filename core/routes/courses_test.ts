import assert from "node:assert/strict";
import { dbTest } from "../../shared/db/testing.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { createTestCore } from "../testing.ts";

const idsOf = async (res: Response) => (await res.json()).items.map((x: { id: string }) => x.id);

dbTest(
  "[core] soft-deleting a course then restoring it keeps its faculty, semester and enrollments",
  async (database) => {
    const core = createTestCore(database);
    const w = await createAcademicWorld(database);
    const admin = core.asUser(w.admin);
    const student = core.asUser(w.studentEnrolled);
    const before = await (await admin.request("GET", `/v1/courses/${w.courseA}`)).json();
    const rosterBefore = await (await admin.request("GET", `/v1/courses/${w.courseA}/enrollments`)).json();

    assert.equal(
      (await core.asUser(w.academicOwn).request("DELETE", `/v1/courses/${w.courseA}`)).status,
      204,
    );
    assert.deepEqual(await idsOf(await student.request("GET", "/v1/me/courses")), []);
    assert.equal((await student.request("GET", `/v1/courses/${w.courseA}`)).status, 404);
    assert.equal((await admin.request("GET", `/v1/courses/${w.courseA}/enrollments`)).status, 404);
    const listed = await admin.request(
      "GET",
      `/v1/courses?facultyId=${w.facultyA}&includeDeleted=true&limit=100`,
    );
    assert.deepEqual((await idsOf(listed)).sort(), [w.courseA, w.courseDeleted].sort());

    // With no live course left the semester may go too; the course then cannot come back before it.
    assert.equal((await admin.request("DELETE", `/v1/semesters/${w.semesterA}`)).status, 204);
    assert.equal((await admin.request("POST", `/v1/courses/${w.courseA}/restore`)).status, 409);
    assert.equal((await admin.request("POST", `/v1/semesters/${w.semesterA}/restore`)).status, 200);
    const restored = await admin.request("POST", `/v1/courses/${w.courseA}/restore`);
    assert.equal(restored.status, 200);
    assert.deepEqual({ ...(await restored.json()), updatedAt: null }, { ...before, updatedAt: null });

    assert.deepEqual(await idsOf(await student.request("GET", "/v1/me/courses")), [w.courseA]);
    const rosterAfter = await (await admin.request("GET", `/v1/courses/${w.courseA}/enrollments`)).json();
    assert.deepEqual(rosterAfter, rosterBefore);
    const audit = await admin.request("GET", `/v1/audit?target=course:${w.courseA}&sort=timestamp`);
    assert.deepEqual((await audit.json()).items.map((e: { action: string }) => e.action), [
      "course.delete",
      "course.restore",
    ]);
  },
);

dbTest(
  "[core] a deleted enrollment stops granting access and comes back with the same id",
  async (database) => {
    const core = createTestCore(database);
    const w = await createAcademicWorld(database);
    const admin = core.asUser(w.admin);
    const student = core.asUser(w.studentEnrolled);
    const path = `/v1/courses/${w.courseA}/enrollments/${w.enrollmentA}`;
    assert.equal((await admin.request("DELETE", path)).status, 204);
    assert.equal((await student.request("GET", `/v1/courses/${w.courseA}`)).status, 404);
    const restored = await admin.request("POST", `${path}/restore`);
    assert.equal(restored.status, 200);
    assert.equal((await restored.json()).id, w.enrollmentA);
    assert.equal((await student.request("GET", `/v1/courses/${w.courseA}`)).status, 200);
    // Re-enrolled meanwhile: restoring the old row would make two live enrollments.
    const old = `/v1/courses/${w.courseA}/enrollments/${w.enrollmentDeleted}`;
    const again = await admin.request("POST", `/v1/courses/${w.courseA}/enrollments`, {
      userId: w.spareStudent.id,
    });
    assert.equal(again.status, 201);
    assert.equal((await admin.request("POST", `${old}/restore`)).status, 409);
  },
);

dbTest(
  "[core] GET /v1/courses/:id is private, tagged, and answers 304 to a matching If-None-Match",
  async (database) => {
    const core = createTestCore(database);
    const w = await createAcademicWorld(database);
    const student = core.asUser(w.studentEnrolled);
    const res = await student.request("GET", `/v1/courses/${w.courseA}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "private, no-cache");
    const etag = res.headers.get("etag")!;
    assert.ok(etag);
    const again = await student.request("GET", `/v1/courses/${w.courseA}`, undefined, {
      "if-none-match": etag,
    });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get("cache-control"), "private, no-cache");
    await core.asUser(w.academicOwn).request("PATCH", `/v1/courses/${w.courseA}`, { title: "Changed" });
    const changed = await student.request("GET", `/v1/courses/${w.courseA}`, undefined, {
      "if-none-match": etag,
    });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get("etag"), etag);
  },
);

dbTest(
  "[core] courses: academics create only in their faculty and cannot move a course out of it",
  async (database) => {
    const core = createTestCore(database);
    const w = await createAcademicWorld(database);
    const academic = core.asUser(w.academicOwn);
    let res = await academic.request("POST", "/v1/courses", {
      semesterId: w.semesterB,
      code: "X1",
      title: "X",
    });
    assert.equal(res.status, 403);
    res = await academic.request("POST", "/v1/courses", {
      semesterId: w.semesterDeleted,
      code: "X1",
      title: "X",
    });
    assert.equal(res.status, 400);
    res = await academic.request("POST", "/v1/courses", {
      semesterId: w.semesterA,
      code: "X1",
      title: "X",
      language: "ar",
    });
    assert.equal(res.status, 201);
    const course = await res.json();
    assert.deepEqual([course.facultyId, course.language], [w.facultyA, "ar"]);
    res = await academic.request("POST", "/v1/courses", {
      semesterId: w.semesterA,
      code: "X1",
      title: "Again",
    });
    assert.equal(res.status, 409);
    res = await core.asUser(w.admin).request("PATCH", `/v1/courses/${course.id}`, {
      semesterId: w.semesterB,
    });
    assert.equal(res.status, 400);
    res = await academic.request("PATCH", `/v1/courses/${course.id}`, { semesterId: w.semesterEmpty });
    assert.equal(res.status, 200);
    res = await academic.request("GET", `/v1/courses?semesterId=${w.semesterEmpty}&language=ar`);
    assert.deepEqual(await idsOf(res), [course.id]);
    res = await academic.request("POST", "/v1/courses", { semesterId: w.semesterA, title: "no code" });
    assert.equal(res.status, 400);
  },
);

dbTest(
  "[core] GET /v1/audit filters by user, action and time window and pages newest first",
  async (database) => {
    const core = createTestCore(database);
    const w = await createAcademicWorld(database);
    const admin = core.asUser(w.admin);
    const start = new Date(Date.now() - 1000).toISOString();
    for (const title of ["One", "Two", "Three"]) {
      await core.asUser(w.academicOwn).request("PATCH", `/v1/courses/${w.courseA}`, { title });
    }
    const base = `/v1/audit?userId=${w.academicOwn.id}&action=course.update&from=${
      encodeURIComponent(start)
    }`;
    const first = await (await admin.request("GET", `${base}&limit=2`)).json();
    assert.equal(first.items.length, 2);
    assert.deepEqual(
      first.items.map((e: { metadata: { after: { title: string } } }) => e.metadata.after.title),
      [
        "Three",
        "Two",
      ],
    );
    const second = await (await admin.request("GET", `${base}&limit=2&cursor=${first.nextCursor}`)).json();
    assert.deepEqual(
      second.items.map((e: { metadata: { after: { title: string } } }) => e.metadata.after.title),
      [
        "One",
      ],
    );
    assert.equal(second.nextCursor, null);
    const none = await (await admin.request("GET", `${base}&to=${encodeURIComponent(start)}`)).json();
    assert.deepEqual(none.items, []);
    assert.equal((await admin.request("GET", "/v1/audit?from=yesterday")).status, 400);
    const [event] = first.items;
    assert.equal(event.service, "core");
    assert.equal(event.target, `course:${w.courseA}`);
    assert.ok(event.requestId);
  },
);
