import assert from "node:assert/strict";
import type { Database } from "../../shared/db/client.ts";
import { chatMessages, chatSessions } from "../../shared/db/schema/chat.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { insertTestDocument } from "../../shared/rag/testing/documents.ts";
import { createAcademicWorld } from "../academics/testing.ts";
import { createTestCore } from "../testing.ts";

type Json = Record<string, unknown>;
const DAY = 86_400_000;

/** Writes one question and the tutor's answer `daysAgo` days ago, as a chat turn would store them. */
async function turn(
  database: Database,
  place: { userId: string; courseId: string },
  question: string,
  answer: { daysAgo: number; refused?: boolean; citedDocumentIds?: string[] },
) {
  const at = new Date(Date.now() - answer.daysAgo * DAY);
  const [session] = await database.db.insert(chatSessions).values({ ...place, title: "Revision" })
    .returning();
  await database.db.insert(chatMessages).values([
    { sessionId: session.id, ...place, role: "user", content: question, createdAt: at },
    {
      sessionId: session.id,
      ...place,
      role: "assistant",
      content: answer.refused ? "I couldn't find this in your course material." : "From your notes…",
      refusal: answer.refused ? "not_found" : null,
      intent: "course_question",
      citations: (answer.citedDocumentIds ?? []).map((documentId, i) => ({
        index: i + 1,
        chunkId: crypto.randomUUID(),
        documentId,
        documentTitle: "x",
        page: 1,
        snippet: "…",
      })),
      usageUnit: "characters",
      unitsIn: 100,
      unitsOut: 40,
      createdAt: new Date(at.getTime() + 1000),
    },
  ]);
}

async function insightWorld(database: Database) {
  const world = await createAcademicWorld(database);
  const core = createTestCore(database, { CHAT_COURSE_DAILY_QUOTA: "50", CHAT_DAILY_QUOTA_STUDENT: "20" });
  const place = { courseId: world.courseA, facultyId: world.facultyA, semesterId: world.semesterA };
  const notes = await insertTestDocument(database, place, "Lecture notes");
  const slides = await insertTestDocument(database, place, "Slides");
  const unused = await insertTestDocument(database, place, "Reading list");
  const student = { userId: world.studentEnrolled.id, courseId: world.courseA };
  const spare = { userId: world.admin.id, courseId: world.courseA };
  await turn(database, student, "What is photosynthesis?", {
    daysAgo: 0,
    citedDocumentIds: [notes.id, slides.id],
  });
  await turn(database, student, "Explain the light reactions", { daysAgo: 0, citedDocumentIds: [notes.id] });
  await turn(database, student, "How does quantum tunnelling work?", { daysAgo: 1, refused: true });
  await turn(database, spare, "Explain quantum tunnelling please", { daysAgo: 2, refused: true });
  await turn(database, student, "When is the field trip?", { daysAgo: 3, refused: true });
  await turn(database, student, "What is the Calvin cycle?", { daysAgo: 30, citedDocumentIds: [slides.id] });
  // Another course's refusals never show up in course A's insight.
  await turn(database, { userId: world.studentOther.id, courseId: world.courseB }, "quantum tunnelling?", {
    daysAgo: 0,
    refused: true,
  });
  return { world, core, notes, slides, unused };
}

dbTest(
  "[core] GET /v1/courses/:id/insight counts questions per week and usage against quota",
  async (database) => {
    const { world, core } = await insightWorld(database);
    const res = await core.asUser(world.academicOwn).request(
      "GET",
      `/v1/courses/${world.courseA}/insight?weeks=8&days=7`,
    );
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = await res.json();
    assert.equal(body.weeks.length, 8);
    assert.equal(new Date(`${body.weeks[7].weekStart}T00:00:00Z`).getUTCDay(), 1, "weeks start on Monday");
    const total = (key: string) => body.weeks.reduce((n: number, w: Json) => n + (w[key] as number), 0);
    assert.equal(total("questions"), 6);
    assert.equal(total("unanswered"), 3);
    assert.equal(body.usage.days.length, 7);
    const today = body.usage.days.at(-1);
    assert.equal(today.day, new Date().toISOString().slice(0, 10));
    assert.equal(today.questions, 2);
    assert.equal(today.peakAsker, 2);
    assert.equal(today.unitsOut, 80);
    assert.equal(body.usage.days.reduce((n: number, d: Json) => n + (d.questions as number), 0), 5);
    assert.equal(body.usage.unit, "characters");
    assert.equal(body.usage.courseDailyLimit, 50);
    assert.equal(body.usage.studentDailyLimit, 20);
  },
);

dbTest(
  "[core] GET /v1/courses/:id/insight/gaps groups the questions the material could not answer",
  async (database) => {
    const { world, core } = await insightWorld(database);
    const admin = core.asUser(world.admin);
    const res = await admin.request("GET", `/v1/courses/${world.courseA}/insight/gaps?limit=1`);
    assert.equal(res.status, 200);
    const first = await res.json();
    assert.equal(first.items.length, 1);
    assert.equal(first.items[0].count, 2);
    assert.equal(first.items[0].askers, 2);
    assert.deepEqual(first.items[0].keywords.slice(0, 2).sort(), ["quantum", "tunnelling"]);
    assert.deepEqual(first.items[0].examples, [
      "How does quantum tunnelling work?",
      "Explain quantum tunnelling please",
    ]);
    assert.ok(first.nextCursor);
    const next = await admin.request(
      "GET",
      `/v1/courses/${world.courseA}/insight/gaps?limit=1&cursor=${encodeURIComponent(first.nextCursor)}`,
    );
    const second = await next.json();
    assert.deepEqual(second.items.map((g: Json) => g.examples), [["When is the field trip?"]]);
    assert.equal(second.nextCursor, null);
    // A cursor from before cursors took base64url (standard base64) still reads.
    const legacyCursor = btoa(JSON.stringify(["gaps", 1])).replace(/=+$/, "");
    const legacy = await admin.request(
      "GET",
      `/v1/courses/${world.courseA}/insight/gaps?limit=1&cursor=${legacyCursor}`,
    );
    assert.deepEqual((await legacy.json()).items.map((g: Json) => g.examples), [["When is the field trip?"]]);
    const recent = await (await admin.request("GET", `/v1/courses/${world.courseA}/insight/gaps?days=3`))
      .json();
    assert.deepEqual(recent.items.map((g: Json) => g.count), [2], "the window leaves the older refusal out");
    const bad = await admin.request("GET", `/v1/courses/${world.courseA}/insight/gaps?cursor=nonsense`);
    assert.equal(bad.status, 400);
  },
);

dbTest(
  "[core] GET /v1/courses/:id/insight/documents ranks documents by citations both ways",
  async (database) => {
    const { world, core, notes, slides, unused } = await insightWorld(database);
    const academic = core.asUser(world.academicOwn);
    const most = await academic.request("GET", `/v1/courses/${world.courseA}/insight/documents?limit=2`);
    assert.equal(most.status, 200);
    const page = await most.json();
    // Both cited twice in the window (ties go by id, descending like the sort).
    const tied = [notes.id, slides.id].sort().reverse();
    assert.deepEqual(page.items.map((d: Json) => [d.id, d.citations]), tied.map((id) => [id, 2]));
    const rest = await (await academic.request(
      "GET",
      `/v1/courses/${world.courseA}/insight/documents?limit=2&cursor=${encodeURIComponent(page.nextCursor)}`,
    )).json();
    assert.deepEqual(rest.items.map((d: Json) => [d.id, d.citations, d.lastCitedAt]), [[unused.id, 0, null]]);
    assert.equal(rest.nextCursor, null);
    const least = await (await academic.request(
      "GET",
      `/v1/courses/${world.courseA}/insight/documents?sort=citations&days=7`,
    )).json();
    assert.deepEqual(least.items.map((d: Json) => d.title), ["Reading list", "Slides", "Lecture notes"]);
    assert.deepEqual(least.items.map((d: Json) => d.citations), [0, 1, 2]);
    const mixed = await academic.request(
      "GET",
      `/v1/courses/${world.courseA}/insight/documents?sort=citations&cursor=${
        encodeURIComponent(page.nextCursor)
      }`,
    );
    assert.equal(mixed.status, 400, "a cursor of one sort is refused under the other");
  },
);

dbTest(
  "[core] course insight is refused to students, other faculties' academics and bad input",
  async (database) => {
    const { world, core } = await insightWorld(database);
    for (const path of ["insight", "insight/gaps", "insight/documents"]) {
      const url = `/v1/courses/${world.courseA}/${path}`;
      assert.equal((await core.asUser(world.studentEnrolled).request("GET", url)).status, 403, path);
      assert.equal((await core.asUser(world.academicOther).request("GET", url)).status, 404, path);
      assert.equal((await core.anonymous.request("GET", url)).status, 401, path);
      const other = `/v1/courses/${world.courseB}/${path}`;
      assert.equal((await core.asUser(world.academicOwn).request("GET", other)).status, 404, path);
    }
    const weeks = await core.asUser(world.admin).request(
      "GET",
      `/v1/courses/${world.courseA}/insight?weeks=53`,
    );
    assert.equal(weeks.status, 400);
    const sort = await core.asUser(world.admin).request(
      "GET",
      `/v1/courses/${world.courseA}/insight/documents?sort=x`,
    );
    assert.equal(sort.status, 400);
  },
);
