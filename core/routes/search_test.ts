import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { documentChunks } from "../../shared/db/schema/rag.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { PDF_FIXTURES } from "../../shared/documents/testing/fixtures.ts";
import { createDocumentsTestbed, type VectorBackend } from "../documents/testing.ts";

type Hit = { chunkId: string; documentId: string; courseId: string; page: number | null; snippet: string };

for (const backend of ["pgvector", "qdrant"] as const satisfies VectorBackend[]) {
  dbTest(
    `[core] POST /v1/search finds the ingested PDFs and never leaks a course's chunks (${backend})`,
    async (database) => {
      if (backend === "pgvector" && !database.hasVector) return; // Covered on PGlite; this Postgres has no pgvector.
      const bed = await createDocumentsTestbed(database, backend);
      try {
        const { world, core } = bed;
        const english = await bed.ingestFixture(world.academicOwn, world.courseA, PDF_FIXTURES.english);
        const arabic = await bed.ingestFixture(world.admin, world.courseA, PDF_FIXTURES.arabic);
        // Course B (another faculty) holds the same English module: its chunks must never reach course A readers.
        const otherEnglish = await bed.ingestFixture(world.admin, world.courseB, PDF_FIXTURES.english);

        const res = await bed.search(world.studentEnrolled, {
          courseId: world.courseA,
          query: "solving simultaneous equations by elimination",
          k: 5,
        });
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "", /application\/json/);
        assert.equal(res.headers.get("x-search-cache"), "miss");
        assert.match(res.headers.get("cache-control") ?? "", /public, max-age=600/);
        assert.match(res.headers.get("x-cache-scope") ?? "", new RegExp(`^course:${world.courseA}@\\d+$`));
        const body = await res.json();
        assert.equal(body.cached, false);
        assert.equal(body.degraded, undefined);
        assert.ok(body.results.length > 0);
        assert.equal(body.results[0].documentId, english);
        assert.ok(body.results.some((h: Hit) => h.page === 11), "the elimination section is on page 11");
        assert.ok(body.results.every((h: Hit) => h.courseId === world.courseA && h.snippet.length > 0));

        const ar =
          await (await bed.search(world.studentEnrolled, { courseId: world.courseA, query: "حبيبي" })).json();
        assert.equal(ar.results[0]?.documentId, arabic);

        // The same question again comes from the cache.
        const again = await bed.search(world.studentEnrolled, {
          courseId: world.courseA,
          query: "  Solving SIMULTANEOUS equations by elimination ",
          k: 5,
        });
        assert.equal(again.headers.get("x-search-cache"), "hit");
        assert.equal((await again.json()).cached, true);

        // Outsiders: another course's student, another faculty's academic.
        const q = { query: "simultaneous equations elimination", k: 50 };
        for (const outsider of [world.studentOther, world.academicOther]) {
          assert.equal((await bed.search(outsider, { ...q, courseId: world.courseA })).status, 404);
          assert.equal((await bed.search(outsider, { ...q, semesterId: world.semesterA })).status, 404);
          const own = await (await bed.search(outsider, { ...q, semesterId: world.semesterB })).json();
          assert.ok(own.results.length > 0);
          assert.ok(
            own.results.every((h: Hit) => h.courseId === world.courseB && h.documentId === otherEnglish),
          );
        }
        const courseAChunks = new Set(
          (await database.db.select({ id: documentChunks.id }).from(documentChunks)
            .where(eq(documentChunks.courseId, world.courseA))).map((r) => r.id),
        );
        const semB = await (await bed.search(world.studentOther, { ...q, semesterId: world.semesterB }))
          .json();
        assert.ok(semB.results.every((h: Hit) => !courseAChunks.has(h.chunkId)));
        // A semester search covers only the caller's readable courses of that semester.
        const semA = await bed.search(world.studentEnrolled, { ...q, semesterId: world.semesterA });
        assert.equal(semA.status, 200);
        assert.match(semA.headers.get("cache-control") ?? "", /private/);
        assert.ok((await semA.json()).results.every((h: Hit) => h.courseId === world.courseA));

        // Vector store down: keyword search answers, flagged, and the answer is not cached.
        bed.setVectorDown(true);
        const down = await bed.search(world.studentEnrolled, {
          courseId: world.courseA,
          query: "elimination method",
        });
        assert.equal(down.status, 200);
        const downBody = await down.json();
        assert.equal(downBody.degraded, "vector_unavailable");
        assert.ok(downBody.results.length > 0);
        assert.match(down.headers.get("cache-control") ?? "", /no-store/);
        bed.setVectorDown(false);

        // Delete: gone from search at once (cache invalidated by the corpus version), vectors purged by the job.
        const del = await core.asUser(world.academicOwn).request("DELETE", `/v1/documents/${english}`);
        assert.equal(del.status, 204);
        const after = await (await bed.search(world.studentEnrolled, {
          courseId: world.courseA,
          query: "solving simultaneous equations by elimination",
          k: 5,
        })).json();
        assert.equal(after.cached, false);
        assert.ok(after.results.every((h: Hit) => h.documentId !== english));
        await bed.runQueuedDocumentJobs();
        const left = await database.db.select().from(documentChunks).where(
          eq(documentChunks.documentId, english),
        );
        assert.equal(left.length, 0);
        const vectors = await bed.store.count({ courseIds: [world.courseA] });
        const arabicChunks = await database.db.select().from(documentChunks)
          .where(eq(documentChunks.documentId, arabic));
        assert.equal(vectors, arabicChunks.length);
      } finally {
        await bed.close();
      }
    },
  );
}

dbTest("[core] POST /v1/search validates its body and needs a caller", async (database) => {
  const bed = await createDocumentsTestbed(database, "qdrant");
  try {
    const { world, core } = bed;
    assert.equal(
      (await core.anonymous.request("POST", "/v1/search", { courseId: world.courseA, query: "x" })).status,
      401,
    );
    const both = await bed.search(world.admin, {
      courseId: world.courseA,
      semesterId: world.semesterA,
      query: "x",
    });
    assert.equal(both.status, 400);
    assert.equal((await bed.search(world.admin, { courseId: world.courseA, query: "" })).status, 400);
    assert.equal(
      (await bed.search(world.admin, { courseId: world.courseA, query: "x", k: 500 })).status,
      400,
    );
  } finally {
    await bed.close();
  }
});

dbTest("[core] the German lecture notes (117 pages) ingest once and are found by page", async (database) => {
  if (database.kind !== "pglite") return; // Ingest the large PDF once per run.
  const bed = await createDocumentsTestbed(database, "pgvector");
  try {
    const { world, core } = bed;
    const id = await bed.ingestFixture(world.academicOwn, world.courseA, PDF_FIXTURES.german);
    const doc = await (await core.asUser(world.studentEnrolled).request("GET", `/v1/documents/${id}`)).json();
    assert.equal(doc.status, "ready");
    assert.equal(doc.pages, 117);
    assert.ok(doc.chunks > 100);
    const res = await bed.search(world.studentEnrolled, {
      courseId: world.courseA,
      query: "Satz von Reidemeister",
    });
    const body = await res.json();
    assert.equal(body.results[0].documentId, id);
    assert.ok(body.results.some((h: Hit) => h.page === 24 || h.snippet.includes("Reidemeister")));
  } finally {
    await bed.close();
  }
});
