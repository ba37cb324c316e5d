import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { auditEvents, enrollments, userProfiles } from "../../shared/db/schema/mod.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { createTestCore, createTestUser } from "../testing.ts";

type Json = Record<string, unknown>;

dbTest(
  "[core] GET /v1/users searches by part of the email or name, filters and pages by email",
  async (database) => {
    const world = await createAcademicWorld(database);
    const core = createTestCore(database);
    const admin = core.asUser(world.admin);
    const tag = crypto.randomUUID().slice(0, 8);
    // Three people with the tag in their email, one with it only in their profile name.
    // Emails sort after the academic's (`academic-…`), so the name match comes first.
    const emails = ["za", "zb", "zc"].map((x) => `${x}-${tag}@uni.example`);
    for (const email of emails) await createTestUser(database, "STUDENT", { email });
    await database.db.insert(userProfiles).values({
      userId: world.academicOwn.id,
      fullName: `Dr Nadia ${tag}`,
      facultyId: world.facultyA,
    }).onConflictDoUpdate({
      target: userProfiles.userId,
      set: { fullName: `Dr Nadia ${tag}`, facultyId: world.facultyA },
    });

    const first = await admin.request("GET", `/v1/users?q=${tag.toUpperCase()}&limit=3`);
    assert.equal(first.status, 200);
    const page1 = await first.json();
    assert.deepEqual(page1.items.map((u: Json) => u.email), [world.academicOwn.email, ...emails.slice(0, 2)]);
    assert.equal(page1.items[0].fullName, `Dr Nadia ${tag}`);
    assert.equal(page1.items[0].facultyId, world.facultyA);
    assert.ok(page1.nextCursor);
    const second = await (await admin.request(
      "GET",
      `/v1/users?q=${tag}&limit=3&cursor=${encodeURIComponent(page1.nextCursor)}`,
    )).json();
    assert.deepEqual(second.items.map((u: Json) => [u.email, u.fullName, u.facultyId]), [[
      emails[2],
      null,
      null,
    ]]);
    assert.equal(second.nextCursor, null);

    const academics = await (await admin.request("GET", `/v1/users?q=${tag}&role=ACADEMIC`)).json();
    assert.deepEqual(academics.items.map((u: Json) => u.id), [world.academicOwn.id]);
    const ofFaculty = await (await admin.request("GET", `/v1/users?q=${tag}&facultyId=${world.facultyB}`))
      .json();
    assert.deepEqual(ofFaculty.items, []);
    const exact = await (await admin.request("GET", `/v1/users?email=${encodeURIComponent(emails[1])}`))
      .json();
    assert.deepEqual(exact.items.map((u: Json) => u.email), [emails[1]]);
    // A literal % matches a percent sign, not everything.
    assert.deepEqual((await (await admin.request("GET", `/v1/users?q=${tag}%25`)).json()).items, []);

    assert.equal((await admin.request("GET", "/v1/users?role=ROOT")).status, 400);
    assert.equal((await admin.request("GET", "/v1/users?cursor=x")).status, 400);
    assert.equal((await core.asUser(world.academicOwn).request("GET", `/v1/users?q=${tag}`)).status, 403);
    assert.equal((await core.anonymous.request("GET", `/v1/users?q=${tag}`)).status, 401);
  },
);

dbTest(
  "[core] GET /v1/users/:id/enrollments lists a user's live enrolments for admins only",
  async (database) => {
    const world = await createAcademicWorld(database);
    const core = createTestCore(database);
    await database.db.insert(enrollments).values({
      userId: world.studentEnrolled.id,
      courseId: world.courseB,
    });
    const admin = core.asUser(world.admin);
    const res = await admin.request("GET", `/v1/users/${world.studentEnrolled.id}/enrollments?limit=1`);
    assert.equal(res.status, 200);
    const page = await res.json();
    assert.deepEqual(page.items.map((e: Json) => [e.courseId, e.role]), [[world.courseB, "student"]]);
    const rest = await (await admin.request(
      "GET",
      `/v1/users/${world.studentEnrolled.id}/enrollments?limit=1&cursor=${
        encodeURIComponent(page.nextCursor)
      }`,
    )).json();
    assert.deepEqual(rest.items.map((e: Json) => e.courseId), [world.courseA]);
    assert.equal(rest.nextCursor, null);
    // The deleted enrolment of the spare student is not listed.
    const spare = await (await admin.request("GET", `/v1/users/${world.spareStudent.id}/enrollments`)).json();
    assert.deepEqual(spare.items, []);
    assert.equal((await admin.request("GET", `/v1/users/${crypto.randomUUID()}/enrollments`)).status, 404);
    const path = `/v1/users/${world.studentEnrolled.id}/enrollments`;
    assert.equal((await core.asUser(world.academicOwn).request("GET", path)).status, 403);
    assert.equal((await core.asUser(world.studentEnrolled).request("GET", path)).status, 403);
  },
);

dbTest("[core] PATCH /v1/users/:id/role keeps the admin's reason in the audit trail", async (database) => {
  const world = await createAcademicWorld(database);
  const core = createTestCore(database);
  const admin = core.asUser(world.admin);
  const path = `/v1/users/${world.spareStudent.id}/role`;
  const res = await admin.request("PATCH", path, { role: "ACADEMIC", reason: "Joined the biology faculty" });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).role, "ACADEMIC");
  const [event] = await database.db.select().from(auditEvents)
    .where(
      and(
        eq(auditEvents.action, "user.role_changed"),
        eq(auditEvents.target, `user:${world.spareStudent.id}`),
      ),
    );
  assert.deepEqual(event.metadata, { from: "STUDENT", to: "ACADEMIC", reason: "Joined the biology faculty" });
  const tooLong = await admin.request("PATCH", path, { role: "STUDENT", reason: "x".repeat(501) });
  assert.equal(tooLong.status, 400);
});
