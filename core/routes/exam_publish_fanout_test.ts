/**
 * Publishing an exam enqueues one `notifications.deliver` job per enrolled student in the publish's transaction. That
 * was one insert round trip per student: at 1,000 students under load the transaction outlived the edge's 30 s and
 * the publish answered 504 (docs/load.md). Now the course's jobs go in one statement, counted at the driver.
 * Postgres only (the hook is postgres.js's); run with `DATABASE_URL` set.
 */
import assert from "node:assert/strict";
import { and, eq, sql } from "drizzle-orm";
import { openPostgres, schema } from "../../shared/db/client.ts";
import { migrateDatabase } from "../../shared/db/migrate.ts";
import { createThrowawayPostgres } from "../../shared/db/testing.ts";
import { seedPdfMaterial } from "../../shared/exams/testing.ts";
import { runJobAsWorker } from "../../workers/jobs/testing.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { createTestCore, createTestUsers } from "../testing.ts";

const CLASSMATES = 40;

Deno.test({
  name: "[postgres] publishing an exam enqueues its students' notifications in one statement",
  ignore: !Deno.env.get("DATABASE_URL"),
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    let jobInserts = 0;
    let counting = false;
    const url = await createThrowawayPostgres();
    const database = await openPostgres({
      url,
      dataDir: "",
      poolMax: 4,
      onQuery: (_connection, query) => {
        if (counting && /^insert into "jobs"/i.test(query.trim())) jobInserts++;
      },
    });
    try {
      await migrateDatabase(database);
      const world = await createAcademicWorld(database);
      await seedPdfMaterial(database, {
        courseId: world.courseA,
        facultyId: world.facultyA,
        semesterId: world.semesterA,
      });
      const classmates = await createTestUsers(
        database,
        Array.from({ length: CLASSMATES }, () => ({ role: "STUDENT" })),
      );
      await database.db.insert(schema.enrollments).values(
        classmates.map((u) => ({ userId: u.id, courseId: world.courseA, role: "student" as const })),
      );
      const staff = createTestCore(database).asUser(world.academicOwn);
      const created = await staff.request("POST", `/v1/courses/${world.courseA}/exams`, {
        title: "Quiz",
        blueprint: { counts: { true_false: 1 } },
      });
      assert.equal(created.status, 202);
      const { examId, jobId } = await created.json();
      assert.equal(await runJobAsWorker(database, jobId), "succeeded");

      counting = true;
      const published = await staff.request("POST", `/v1/exams/${examId}/publish`, {
        closesAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
      counting = false;
      assert.equal(published.status, 200);
      const [{ n }] = await database.db.select({ n: sql<number>`count(*)::int` }).from(schema.jobs).where(and(
        eq(schema.jobs.type, "notifications.deliver"),
        sql`${schema.jobs.payload}->'data'->>'examId' = ${examId}`,
        sql`${schema.jobs.payload}->>'kind' = 'exam.published'`,
      ));
      const [{ enrolled }] = await database.db.select({ enrolled: sql<number>`count(*)::int` })
        .from(schema.enrollments).where(and(
          eq(schema.enrollments.courseId, world.courseA),
          eq(schema.enrollments.role, "student"),
          sql`${schema.enrollments.deletedAt} is null`,
        ));
      assert.ok(enrolled > CLASSMATES);
      assert.equal(n, enrolled, "every enrolled student is notified");
      assert.equal(jobInserts, 1, `${jobInserts} job inserts for ${n} students`);
    } finally {
      await database.close();
    }
  },
});
