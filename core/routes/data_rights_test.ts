import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import JSZip from "jszip";
import { enrollments } from "../../shared/db/schema/academics.ts";
import { auditEvents } from "../../shared/db/schema/audit.ts";
import { users } from "../../shared/db/schema/users.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { createTestStack } from "../../testing/stack.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { createTestUser } from "../auth/testing.ts";
import { erasedEmail } from "../accounts/data_rights.ts";

const json = { "content-type": "application/json" };

dbTest("[edge] a person downloads their data as one zip of JSON files (audited)", async (database) => {
  const stack = createTestStack(database);
  const w = await createAcademicWorld(database);
  const student = w.studentEnrolled;
  const res = await stack.edge.request("/api/v1/me/export", { headers: await stack.bearer(student) });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/zip");
  const zip = await JSZip.loadAsync(new Uint8Array(await res.arrayBuffer()));
  for (
    const name of [
      "README.txt",
      "profile.json",
      "enrollments.json",
      "chat_sessions.json",
      "exam_attempts.json",
      "notifications.json",
      "mail.json",
      "audit.json",
    ]
  ) assert.ok(zip.file(name), `${name} is in the archive`);
  const profile = JSON.parse(await zip.file("profile.json")!.async("string"));
  assert.equal(profile.account.id, student.id);
  assert.equal(profile.account.passwordHash, undefined);
  const enrolled = JSON.parse(await zip.file("enrollments.json")!.async("string"));
  assert.ok(enrolled.some((e: { courseId: string }) => e.courseId === w.courseA));
  const [event] = await database.db.select().from(auditEvents)
    .where(and(eq(auditEvents.action, "data.exported"), eq(auditEvents.target, `user:${student.id}`)));
  assert.equal(event.userId, student.id);
  // Someone else's data is for admins only.
  const other = await stack.edge.request(`/api/v1/users/${student.id}/export`, {
    headers: await stack.bearer(w.studentOther),
  });
  assert.equal(other.status, 403);
  const asAdmin = await stack.edge.request(`/api/v1/users/${student.id}/export`, {
    headers: await stack.bearer(w.admin),
  });
  assert.equal(asAdmin.status, 200);
});

dbTest(
  "[edge] an admin erases an account: personal data goes, enrolments stay, sign-in stops",
  async (database) => {
    const stack = createTestStack(database);
    const w = await createAcademicWorld(database);
    const person = await createTestUser(database, { displayName: "Person To Erase" });
    await database.db.insert(enrollments).values({ userId: person.id, courseId: w.courseA, role: "student" });
    const refused = await stack.edge.request(`/api/v1/users/${person.id}/erase`, {
      method: "POST",
      headers: { ...(await stack.bearer(w.academicOwn)), ...json },
    });
    assert.equal(refused.status, 403);
    const res = await stack.edge.request(`/api/v1/users/${person.id}/erase`, {
      method: "POST",
      headers: { ...(await stack.bearer(w.admin)), ...json },
    });
    assert.equal(res.status, 200);
    const [row] = await database.db.select().from(users).where(eq(users.id, person.id));
    assert.equal(row.email, erasedEmail(person.id));
    assert.equal(row.displayName, null);
    assert.equal(row.passwordHash, null);
    assert.ok(row.erasedAt && row.deletedAt);
    const kept = await database.db.select().from(enrollments).where(eq(enrollments.userId, person.id));
    assert.equal(kept.length, 1, "the academic record stays under the pseudonymous id");
    const login = await stack.edge.request("/api/v1/auth/login", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: person.email, password: person.password }),
    });
    assert.equal(login.status, 401);
    // The address is free again, and a second erasure finds nothing.
    const again = await stack.edge.request(`/api/v1/users/${person.id}/erase`, {
      method: "POST",
      headers: { ...(await stack.bearer(w.admin)), ...json },
    });
    assert.equal(again.status, 404);
    const [event] = await database.db.select().from(auditEvents)
      .where(and(eq(auditEvents.action, "user.erased"), eq(auditEvents.target, `user:${person.id}`)));
    assert.equal(event.userId, w.admin.id);
    const self = await stack.edge.request(`/api/v1/users/${w.admin.id}/erase`, {
      method: "POST",
      headers: { ...(await stack.bearer(w.admin)), ...json },
    });
    assert.equal(self.status, 409);
  },
);
