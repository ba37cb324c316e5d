import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { chatMessages } from "../shared/db/schema/chat.ts";
import { dbTest } from "../shared/db/testing.ts";
import { createChatWorld } from "../core/chat/testing.ts";
import { startFakeOpenAi } from "../shared/tutor/testing/fake_openai.ts";
import { createTestStack } from "../testing/stack.ts";

dbTest(
  "[edge] a streamed chat answer passes through the edge unbuffered, and a disconnect reaches core",
  async (database) => {
    const fake = startFakeOpenAi();
    // One released sentence, then the model stalls: if the edge buffered, no event would arrive before the stall ends.
    fake.script.push({
      kind: "stall",
      pieces: ["Mitochondria produce ATP ", "through cellular respiration [1]. ", "Photosynthesis converts "],
      ms: 5000,
    });
    const coreEnv = {
      TUTOR_MODEL: "openai",
      OPENAI_BASE_URL: fake.baseURL,
      OPENAI_API_KEY: "test",
      OPENAI_MAX_RETRIES: "0",
    };
    const w = await createChatWorld(database, coreEnv);
    try {
      await w.addDocument("A", "Biology notes", [
        "Mitochondria are the powerhouse of the cell, producing ATP through cellular respiration.",
      ]);
      const stack = createTestStack(database, { coreEnv, coreOverrides: w.retrieval });
      const auth = await stack.bearer(w.world.studentEnrolled);
      const api = stack.api({ headers: auth });
      const created = await api.POST("/api/v1/chat/sessions", { body: { courseId: w.world.courseA } });
      assert.equal(created.response.status, 201);
      const { id } = created.data!;

      const started = performance.now();
      // The stream is read raw: parseAs "stream" hands back the body untouched.
      const { response: res } = await api.POST("/api/v1/chat/sessions/{id}/messages", {
        params: { path: { id } },
        headers: { accept: "text/event-stream" },
        body: { content: "What do mitochondria produce?" },
        parseAs: "stream",
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
      assert.equal(res.headers.get("content-encoding"), null);
      const reader = res.body!.getReader();
      let seen = "";
      while (!seen.includes("event: token")) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += new TextDecoder().decode(value);
      }
      assert.match(seen, /ATP/);
      assert.ok(performance.now() - started < 4000, "the first token came before the model's stall ended");
      await reader.cancel();

      let answer;
      for (let i = 0; i < 200 && !answer; i++) {
        [answer] = await database.db.select().from(chatMessages)
          .where(eq(chatMessages.sessionId, id)).then((rows) => rows.filter((r) => r.role === "assistant"));
        if (!answer) await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok(answer, "the answer was stored");
      assert.equal(answer.status, "interrupted");
    } finally {
      await w.close();
      await fake.close();
    }
  },
);
