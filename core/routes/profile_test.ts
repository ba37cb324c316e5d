import assert from "node:assert/strict";
import { dbTest } from "../../shared/db/testing.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { createTestCore } from "../testing.ts";

dbTest(
  "[core] an admin moving an academic to another faculty moves their scope, audited",
  async (database) => {
    const core = createTestCore(database);
    const w = await createAcademicWorld(database);
    const admin = core.asUser(w.admin);
    const academic = core.asUser(w.spareAcademic);
    assert.equal((await academic.request("GET", `/v1/courses/${w.courseA}`)).status, 200);
    assert.equal((await academic.request("GET", `/v1/courses/${w.courseB}`)).status, 404);

    let res = await admin.request("PUT", `/v1/users/${w.spareAcademic.id}/profile`, {
      facultyId: w.facultyB,
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).facultyId, w.facultyB);
    assert.equal((await academic.request("GET", `/v1/courses/${w.courseA}`)).status, 404);
    assert.equal(
      (await academic.request("PATCH", `/v1/courses/${w.courseB}`, { title: "Mine now" })).status,
      200,
    );

    res = await admin.request("PUT", `/v1/users/${w.spareAcademic.id}/profile`, {
      facultyId: w.facultyDeleted,
    });
    assert.equal(res.status, 400);
    res = await admin.request("PUT", `/v1/users/${crypto.randomUUID()}/profile`, { fullName: "Ghost" });
    assert.equal(res.status, 404);
    const audit = await (await admin.request("GET", `/v1/audit?target=user:${w.spareAcademic.id}`)).json();
    assert.deepEqual(audit.items.map((e: { action: string }) => e.action), ["profile.faculty_change"]);
    assert.deepEqual(audit.items[0].metadata.before, { facultyId: w.facultyA });
  },
);

dbTest("[core] /v1/me/profile: defaults, own changes, and no way to pick one's faculty", async (database) => {
  const core = createTestCore(database);
  const w = await createAcademicWorld(database);
  const student = core.asUser(w.spareStudent);
  let res = await student.request("GET", "/v1/me/profile");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "private, no-cache");
  assert.deepEqual(await res.json(), {
    userId: w.spareStudent.id,
    fullName: "",
    preferredLanguage: "en",
    facultyId: null,
    updatedAt: null,
  });
  res = await student.request("PATCH", "/v1/me/profile", {
    fullName: "Layla Haddad",
    preferredLanguage: "ar",
  });
  assert.equal(res.status, 200);
  const saved = await res.json();
  assert.deepEqual([saved.fullName, saved.preferredLanguage, saved.facultyId], ["Layla Haddad", "ar", null]);
  res = await student.request("PATCH", "/v1/me/profile", { facultyId: w.facultyA });
  assert.equal(res.status, 400);
  res = await student.request("PATCH", "/v1/me/profile", { preferredLanguage: "fr" });
  assert.equal(res.status, 400);
});
