import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { documents, documentTerms } from "../../shared/db/schema/rag.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { insertTestDocument } from "../../shared/rag/testing/documents.ts";
import { withCallerTx } from "../scope/caller_tx.ts";
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
    await database.db.insert(documentTerms).values({
      documentId: doc.id,
      generation: 0,
      term: "osmosi",
      df: 1,
    });
    // The document and its term statistics, as the caller sees them.
    const visibleTo = (user: { id: string; role: "ADMIN" | "ACADEMIC" | "STUDENT" }) =>
      withCallerTx(database, { userId: user.id, role: user.role }, async (tx) => {
        const docs = await tx.select({ id: documents.id }).from(documents).where(eq(documents.id, doc.id));
        const terms = await tx.select().from(documentTerms).where(eq(documentTerms.documentId, doc.id));
        assert.equal(terms.length, docs.length, "term statistics are visible exactly where the document is");
        return docs.length;
      });
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
