import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { documents } from "../../shared/db/schema/rag.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { insertTestDocument } from "../../shared/rag/testing/documents.ts";
import { withCallerTx } from "../../shared/scope/caller_tx.ts";
import { createAcademicWorld } from "../academics/testing.ts";

dbTest(
  "row-level security hides a course's documents from outsiders and refuses their writes",
  async (database) => {
    const world = await createAcademicWorld(database);
    const doc = await insertTestDocument(database, {
      courseId: world.courseA,
      facultyId: world.facultyA,
      semesterId: world.semesterA,
    });
    const visibleTo = (user: { id: string; role: "ADMIN" | "ACADEMIC" | "STUDENT" }) =>
      withCallerTx(
        database,
        { userId: user.id, role: user.role },
        async (tx) =>
          (await tx.select({ id: documents.id }).from(documents).where(eq(documents.id, doc.id))).length,
      );
    assert.equal(await visibleTo(world.studentEnrolled), 1);
    assert.equal(await visibleTo(world.academicOwn), 1);
    assert.equal(await visibleTo(world.admin), 1);
    assert.equal(await visibleTo(world.studentOther), 0);
    assert.equal(await visibleTo(world.academicOther), 0);

    // A student of the course reads but cannot change; an outsider cannot add to the course.
    const changed = await withCallerTx(
      database,
      { userId: world.studentEnrolled.id, role: "STUDENT" },
      async (tx) =>
        (await tx.update(documents).set({ title: "hijacked" }).where(eq(documents.id, doc.id)).returning())
          .length,
    );
    assert.equal(changed, 0);
    await assert.rejects(() =>
      withCallerTx(
        database,
        { userId: world.academicOther.id, role: "ACADEMIC" },
        (tx) =>
          tx.insert(documents).values({
            courseId: world.courseA,
            facultyId: world.facultyA,
            title: "x",
            fileName: "x.pdf",
            mime: "application/pdf",
            sizeBytes: 1,
          }),
      )
    );
  },
);
