import assert from "node:assert/strict";
import { dbTest } from "../../shared/db/testing.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { createTestCore, createTestUsers } from "../testing.ts";

dbTest("[core] roster import reports every bad row and imports the good ones", async (database) => {
  const core = createTestCore(database);
  const w = await createAcademicWorld(database);
  const [s1, s2, a1, s3] = await createTestUsers(database, [
    { role: "STUDENT" },
    { role: "STUDENT" },
    { role: "ACADEMIC" },
    { role: "STUDENT" },
  ]);
  const csv = [
    "email,role",
    `${s1.email},student`, // 2: ok
    `nobody-${crypto.randomUUID()}@test.example,student`, // 3: no account: invited
    `${s1.email.toUpperCase()},student`, // 4: duplicate of line 2 (emails are case-insensitive)
    `${s2.email},teacher`, // 5: not a course role
    `${s2.email},instructor`, // 6: duplicate of line 5 (the first row for an email is the one reported)
    `"${a1.email}",instructor`, // 7: ok, quoted
    `${w.studentEnrolled.email},student`, // 8: already enrolled
    "not-an-email,student", // 9: invalid
    `${s3.email},instructor`, // 10: a student cannot instruct
    "",
  ].join("\r\n");
  const res = await core.asUser(w.academicOwn).request(
    "POST",
    `/v1/courses/${w.courseA}/enrollments/import`,
    csv,
    { "content-type": "text/csv; charset=utf-8" },
  );
  assert.equal(res.status, 200);
  const report = await res.json();
  const summary = report.rows.map((r: { line: number; ok: boolean; error?: { code: string } }) => [
    r.line,
    r.ok ? "ok" : r.error!.code,
  ]);
  assert.deepEqual(summary, [
    [2, "ok"],
    [3, "ok"],
    [4, "duplicate_row"],
    [5, "wrong_role"],
    [6, "duplicate_row"],
    [7, "ok"],
    [8, "already_enrolled"],
    [9, "invalid_email"],
    [10, "wrong_role"],
  ]);
  assert.deepEqual([report.total, report.imported, report.invited, report.failed], [9, 3, 1, 6]);
  assert.ok(report.rows[1].invitationId);

  const list = await core.asUser(w.academicOwn).request(
    "GET",
    `/v1/courses/${w.courseA}/enrollments?sort=email`,
  );
  const roster = (await list.json()).items.map((e: { email: string; role: string }) =>
    `${e.email}:${e.role}`
  );
  assert.deepEqual(
    roster.sort(),
    [`${s1.email}:student`, `${a1.email}:instructor`, `${w.studentEnrolled.email}:student`].sort(),
  );
  // The imported instructor now manages the course (scope follows enrollments).
  const asInstructor = await core.asUser(a1).request("PATCH", `/v1/courses/${w.courseA}`, {
    title: "Taught",
  });
  assert.equal(asInstructor.status, 200);
  const audit = await core.asUser(w.admin).request(
    "GET",
    `/v1/audit?action=enrollment.import&userId=${w.academicOwn.id}`,
  );
  const [event] = (await audit.json()).items;
  assert.equal(event.target, `course:${w.courseA}`);
  assert.deepEqual([event.metadata.imported, event.metadata.failed, event.metadata.invited], [3, 6, 1]);
});

dbTest("[core] roster import refuses a non-CSV body and an empty roster", async (database) => {
  const core = createTestCore(database);
  const w = await createAcademicWorld(database);
  const admin = core.asUser(w.admin);
  const path = `/v1/courses/${w.courseA}/enrollments/import`;
  let res = await admin.request("POST", path, { email: w.spareStudent.email });
  assert.equal(res.status, 415);
  res = await admin.request("POST", path, "email,role\n", { "content-type": "text/csv" });
  assert.equal(res.status, 400);
});

dbTest(
  "[core] single enrollment checks the user's role and duplicates; role changes are audited",
  async (database) => {
    const core = createTestCore(database);
    const w = await createAcademicWorld(database);
    const academic = core.asUser(w.academicOwn);
    const path = `/v1/courses/${w.courseA}/enrollments`;
    let res = await academic.request("POST", path, { email: w.spareStudent.email, role: "instructor" });
    assert.equal(res.status, 400);
    res = await academic.request("POST", path, { userId: w.studentEnrolled.id });
    assert.equal(res.status, 409);
    res = await academic.request("POST", path, { email: `nobody-${crypto.randomUUID()}@x.org` });
    assert.equal(res.status, 202, "an email without an account is invited");
    assert.equal((await res.json()).invited, true);
    res = await academic.request("POST", path, {
      email: `nobody-${crypto.randomUUID()}@x.org`,
      role: "instructor",
    });
    assert.equal(res.status, 403, "only admins invite new academics");
    res = await academic.request("POST", path, { email: w.admin.email });
    assert.equal(res.status, 400, "admins are not enrolled");
    res = await academic.request("POST", path, { email: w.spareAcademic.email, role: "student" });
    assert.equal(res.status, 201);
    const enrollment = await res.json();
    assert.equal(enrollment.role, "student");
    res = await academic.request("PATCH", `${path}/${enrollment.id}`, { role: "instructor" });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).role, "instructor");
    res = await academic.request("PATCH", `${path}/${w.enrollmentA}`, { role: "instructor" });
    assert.equal(res.status, 400, "a student cannot instruct");
    res = await academic.request("DELETE", `${path}/${enrollment.id}`);
    assert.equal(res.status, 204);
    res = await core.asUser(w.admin).request("GET", `/v1/audit?userId=${w.academicOwn.id}&sort=timestamp`);
    const actions = (await res.json()).items.map((e: { action: string }) => e.action);
    assert.deepEqual(actions, [
      "invitation.create",
      "enrollment.create",
      "enrollment.role_change",
      "enrollment.delete",
    ]);
  },
);
