import assert from "node:assert/strict";
import { schema } from "../../shared/db/client.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { createChatWorld } from "../chat/testing.ts";
import { databaseExamLockout } from "../../shared/exams/lockout.ts";

type Client = { request: (m: string, p: string, b?: unknown) => Promise<Response> };

async function ask(client: Client, sessionId: string) {
  return await client.request("POST", `/v1/chat/sessions/${sessionId}/messages`, { content: "Hi" });
}

dbTest(
  "[core] a course's own daily question quota (tutor policy) binds the tutor, overrides the server's, and 0 lifts it",
  async (database) => {
    const w = await createChatWorld(database);
    try {
      const courseId = w.world.courseA;
      const path = `/v1/courses/${courseId}/tutor-policy`;
      const instructor = w.core.asUser(w.world.academicOwn);
      const student = w.core.asUser(w.world.studentEnrolled);
      // Defaults: the server's course quota (none here), the lock-out on.
      const initial = await (await student.request("GET", path)).json();
      assert.deepEqual(
        [
          initial.policy,
          initial.dailyQuestionQuota,
          initial.lockoutDuringExams,
          initial.serverDailyQuestionQuota,
        ],
        ["direct", null, true, 0],
      );
      assert.equal(initial.studentDailyQuota, w.core.services.env.CHAT_DAILY_QUOTA_STUDENT);

      // Only the course's staff set it; the value is checked.
      assert.equal(
        (await student.request("PUT", path, { policy: "direct", dailyQuestionQuota: 5 })).status,
        403,
      );
      assert.equal(
        (await instructor.request("PUT", path, { policy: "direct", dailyQuestionQuota: -1 })).status,
        400,
      );
      const put = await instructor.request("PUT", path, { policy: "socratic", dailyQuestionQuota: 1 });
      assert.equal(put.status, 200);
      assert.deepEqual(
        [
          (await put.json()).dailyQuestionQuota,
          (await (await student.request("GET", path)).json()).lockoutDuringExams,
        ],
        [1, true],
        "set, and the field left out kept its value",
      );

      const session =
        (await (await student.request("POST", "/v1/chat/sessions", { courseId, title: "R" })).json())
          .id;
      assert.equal((await ask(student, session)).status, 200);
      const quota = await (await student.request("GET", `/v1/chat/sessions/${session}/quota`)).json();
      assert.deepEqual([quota.limit, quota.remaining, quota.scope], [1, 0, "course"]);
      const refused = await ask(student, session);
      assert.equal(refused.status, 429);
      assert.equal((await refused.json()).error.details.quota, "course");
      // The instructor's own questions count against the course too.
      const mine =
        (await (await instructor.request("POST", "/v1/chat/sessions", { courseId, title: "R" })).json())
          .id;
      assert.equal((await ask(instructor, mine)).status, 429);

      // The course's setting wins over the server's, both ways: 0 lifts a server quota of 1.
      w.core.services.env.CHAT_COURSE_DAILY_QUOTAS.set(courseId, 1);
      await instructor.request("PUT", path, { policy: "socratic", dailyQuestionQuota: 0 });
      assert.equal((await ask(student, session)).status, 200);
      // Back to the server's (null): its quota of 1 is already used today.
      const reset = await instructor.request("PUT", path, { policy: "socratic", dailyQuestionQuota: null });
      assert.equal((await reset.json()).serverDailyQuestionQuota, 1);
      assert.equal((await ask(student, session)).status, 429);
    } finally {
      await w.close();
    }
  },
);

dbTest("[core] the exam lock-out follows the course's setting", async (database) => {
  const w = await createChatWorld(database);
  try {
    const courseId = w.world.courseA;
    const [exam] = await database.db.insert(schema.exams).values({
      courseId,
      facultyId: w.world.facultyA,
      semesterId: w.world.semesterA,
      title: "Open quiz",
      blueprint: {},
      status: "published",
      closesAt: new Date(Date.now() + 3_600_000),
    }).returning();
    await database.db.insert(schema.examItems).values({
      examId: exam.id,
      courseId,
      ordinal: 1,
      type: "short_answer",
      question: "Which organelle produces ATP?",
      options: [],
      answerKey: "mitochondria",
    });
    const lockout = databaseExamLockout(database);
    assert.deepEqual(
      (await lockout.activeExamsFor(courseId)).map((e) => e.examId),
      [exam.id],
      "on by default",
    );

    const instructor = w.core.asUser(w.world.academicOwn);
    const path = `/v1/courses/${courseId}/tutor-policy`;
    const off = await instructor.request("PUT", path, { policy: "direct", lockoutDuringExams: false });
    assert.equal((await off.json()).lockoutDuringExams, false);
    assert.deepEqual(await lockout.activeExamsFor(courseId), [], "turned off: the tutor is not locked");
    await instructor.request("PUT", path, { policy: "direct", lockoutDuringExams: true });
    assert.equal((await lockout.activeExamsFor(courseId)).length, 1, "on again");
  } finally {
    await w.close();
  }
});
