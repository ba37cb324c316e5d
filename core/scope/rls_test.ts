/**
 * Row-level security as defence in depth: raw SQL run as the application role, with no application filter at all,
 * still sees only the caller's rows. Runs on PGlite and (with DATABASE_URL) on Postgres.
 */
import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import { queryRows } from "../../shared/db/client.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { withCallerTx } from "./caller_tx.ts";

const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

dbTest(
  "RLS hides foreign courses and enrollments from raw SQL as app_user, whatever the query asks",
  async (database) => {
    const w = await createAcademicWorld(database);
    const inWorld = sql`id in (${w.courseA}::uuid, ${w.courseB}::uuid, ${w.courseDeleted}::uuid)`;

    // No application filter: "every course of these ids" and "every enrollment of these courses".
    const visible = (user: { id: string; role: "ADMIN" | "ACADEMIC" | "STUDENT" }) =>
      withCallerTx(database, { userId: user.id, role: user.role }, async (tx) => ({
        courses: ids(
          await queryRows<{ id: string }>(tx, sql`select id from courses where ${inWorld} order by code`),
        ),
        enrollments: ids(
          await queryRows<{ id: string }>(
            tx,
            sql`select id from enrollments where course_id in (${w.courseA}::uuid, ${w.courseB}::uuid) and deleted_at is null`,
          ),
        ).sort(),
        whoami: (await queryRows<{ u: string }>(tx, sql`select current_user as u`))[0].u,
      }));

    const student = await visible(w.studentOther);
    assert.equal(student.whoami, "app_user");
    assert.deepEqual(student.courses, [w.courseB]);
    assert.deepEqual(student.enrollments, [w.enrollmentB]);

    const enrolled = await visible(w.studentEnrolled);
    assert.deepEqual(enrolled.courses, [w.courseA]);
    assert.deepEqual(enrolled.enrollments, [w.enrollmentA]);

    // The academic of faculty A sees faculty A's courses (RLS leaves soft-delete to the application) and their roster.
    const academic = await visible(w.academicOwn);
    assert.deepEqual(academic.courses, [w.courseA, w.courseDeleted]);
    assert.deepEqual(academic.enrollments, [w.enrollmentA]);

    const other = await visible(w.academicOther);
    assert.deepEqual(other.courses, [w.courseB]);
    assert.deepEqual(other.enrollments, [w.enrollmentB]);

    const admin = await visible(w.admin);
    assert.deepEqual(admin.courses, [w.courseA, w.courseB, w.courseDeleted]);
    assert.deepEqual(admin.enrollments, [w.enrollmentA, w.enrollmentB].sort());

    // A connection outside withCallerTx is the owner again: SET LOCAL ended with the transaction.
    const after = await queryRows<{ u: string }>(database.db, sql`select current_user as u`);
    assert.notEqual(after[0].u, "app_user");
  },
);

dbTest("RLS ignores a forged app.role and shows nothing without app.user_id", async (database) => {
  const w = await createAcademicWorld(database);
  const forged = await database.db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('app.user_id', ${w.studentOther.id}, true), set_config('app.role', 'ADMIN', true)`,
    );
    await tx.execute(sql`set local role app_user`);
    return ids(
      await queryRows<{ id: string }>(tx, sql`select id from courses where id = ${w.courseA}::uuid`),
    );
  });
  assert.deepEqual(forged, [], "the role comes from the users table, not the setting");
  const anonymous = await database.db.transaction(async (tx) => {
    await tx.execute(sql`set local role app_user`);
    return {
      courses: await queryRows(tx, sql`select id from courses where id = ${w.courseA}::uuid`),
      enrollments: await queryRows(tx, sql`select id from enrollments where id = ${w.enrollmentA}::uuid`),
    };
  });
  assert.deepEqual({ courses: anonymous.courses.length, enrollments: anonymous.enrollments.length }, {
    courses: 0,
    enrollments: 0,
  });
});

dbTest(
  "RLS refuses writes outside the caller's courses even when the application check is skipped",
  async (database) => {
    const w = await createAcademicWorld(database);
    const caller = { userId: w.academicOther.id, role: "ACADEMIC" as const };
    const updated = await withCallerTx(
      database,
      caller,
      (tx) =>
        queryRows(tx, sql`update courses set title = 'hijacked' where id = ${w.courseA}::uuid returning id`),
    );
    assert.equal(updated.length, 0);
    await assert.rejects(
      withCallerTx(
        database,
        caller,
        (tx) =>
          tx.execute(sql`insert into courses (faculty_id, semester_id, code, title)
        values (${w.facultyA}::uuid, ${w.semesterA}::uuid, ${"X-" + crypto.randomUUID()}, 'intruder')`),
      ),
      (err: Error) => /row-level security/.test(`${err.message} ${(err.cause as Error)?.message}`),
    );
    await assert.rejects(
      withCallerTx(database, caller, (tx) =>
        tx.execute(sql`insert into enrollments (user_id, course_id, role)
        values (${w.spareStudent.id}::uuid, ${w.courseA}::uuid, 'student')`)),
      (err: Error) => /row-level security/.test(`${err.message} ${(err.cause as Error)?.message}`),
    );
    // The student cannot read the audit trail nor rewrite it; the application may append to it.
    const student = { userId: w.studentEnrolled.id, role: "STUDENT" as const };
    const audit = await withCallerTx(database, student, async (tx) => {
      await tx.execute(sql`insert into audit_events (service, action) values ('test', 'rls.probe')`);
      return queryRows(tx, sql`select id from audit_events`);
    });
    assert.equal(audit.length, 0);
    await assert.rejects(
      withCallerTx(database, student, (tx) => tx.execute(sql`delete from audit_events`)),
      (err: Error) => /permission denied/.test(`${err.message} ${(err.cause as Error)?.message}`),
    );
    const [row] = await queryRows<{ title: string }>(
      database.db,
      sql`select title from courses where id = ${w.courseA}::uuid`,
    );
    assert.notEqual(row.title, "hijacked");
  },
);
