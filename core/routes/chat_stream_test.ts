import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { chatMessages } from "../../shared/db/schema/chat.ts";
import type { Database } from "../../shared/db/client.ts";
import { sql } from "../../shared/db/client.ts";
import { dbTest, freshTestDatabase } from "../../shared/db/testing.ts";
import { createChatWorld, parseSse, readSse } from "../chat/testing.ts";

const BIOLOGY = ["Mitochondria are the powerhouse of the cell, producing ATP through cellular respiration."];
const SSE = { accept: "text/event-stream" };

/** Holds `lock table chat_messages in exclusive mode` until released: every turn's stored question waits on it. */
async function lockChatMessages(database: Database): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((r) => release = r);
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => locked = r);
  const tx = database.db.transaction(async (tx) => {
    await tx.execute(sql`lock table chat_messages in exclusive mode`);
    locked();
    await released;
  });
  await isLocked;
  return {
    release: async () => {
      release();
      await tx;
    },
  };
}

/** `promise`'s value, or `null` if it has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    promise,
    new Promise<null>((r) => timer = setTimeout(() => r(null), ms)),
  ]).finally(() => clearTimeout(timer));
}

/** Reads a stream until `text` has appeared (or the stream ends, or `ms` pass); returns what was read. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, text: string, ms = 5000) {
  const decoder = new TextDecoder();
  let seen = "";
  const deadline = performance.now() + ms;
  while (!seen.includes(text) && performance.now() < deadline) {
    const next = await within(reader.read(), deadline - performance.now());
    if (!next || next.done) break;
    seen += decoder.decode(next.value, { stream: true });
  }
  return seen;
}

/**
 * A test on a fresh database of the machine's Postgres (skipped without DATABASE_URL): it holds a lock or adds a
 * trigger, which PGlite's single connection and the shared test database cannot take.
 */
function postgresTest(name: string, fn: (database: Database) => Promise<void>): void {
  Deno.test({
    name: `[postgres] ${name}`,
    ignore: !Deno.env.get("DATABASE_URL"),
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const database = await freshTestDatabase("postgres");
      try {
        await fn(database);
      } finally {
        await database.close();
      }
    },
  });
}

async function openSession(
  client: { request: (m: string, p: string, b?: unknown) => Promise<Response> },
  courseId: string,
) {
  const res = await client.request("POST", "/v1/chat/sessions", { courseId, title: "Revision" });
  assert.equal(res.status, 201);
  return (await res.json()).id as string;
}

postgresTest(
  "[core] a streamed turn's headers and heartbeats arrive while its database work waits, then the answer",
  async (database) => {
    const w = await createChatWorld(database, { CHAT_STREAM_HEARTBEAT_MS: "100" });
    try {
      await w.addDocument("A", "Biology notes", BIOLOGY);
      const student = w.core.asUser(w.world.studentEnrolled);
      const sessionId = await openSession(student, w.world.courseA);
      const lock = await lockChatMessages(database);
      let res: Response | null;
      try {
        const asked = student.request("POST", `/v1/chat/sessions/${sessionId}/messages`, {
          content: "What do mitochondria produce?",
        }, SSE);
        // Storing the question waits on the lock; the headers must not.
        res = await within(asked, 2000);
        assert.ok(res, "the stream's headers came while the turn's database work was blocked");
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
        const reader = res.body!.getReader();
        const early = await readUntil(reader, ": waiting", 2000);
        assert.match(early, /^: accepted\n\n/);
        assert.match(early, /: waiting\n\n/, "a heartbeat while the turn waited");
        assert.doesNotMatch(early, /event:/);
        await lock.release();
        const rest = early + await readUntil(reader, "event: done");
        const events = parseSse(rest);
        assert.ok(events.some((e) => e.event === "token"));
        assert.equal(events.at(-1)!.event, "done");
      } finally {
        await lock.release();
      }
      const stored = await database.db.select().from(chatMessages).where(
        eq(chatMessages.sessionId, sessionId),
      );
      assert.deepEqual(stored.map((m) => m.role).sort(), ["assistant", "user"]);
    } finally {
      await w.close();
    }
  },
);

postgresTest(
  "[core] a turn beyond the running and queued ones is refused at once with 503 and Retry-After, nothing stored",
  async (database) => {
    const w = await createChatWorld(database, {
      CHAT_TURNS_MAX: "1",
      CHAT_TURN_QUEUE_MAX: "1",
      CHAT_TURN_RETRY_AFTER_SECONDS: "7",
    });
    try {
      await w.addDocument("A", "Biology notes", BIOLOGY);
      const student = w.core.asUser(w.world.studentEnrolled);
      const sessionId = await openSession(student, w.world.courseA);
      const ask = (content: string, headers: Record<string, string> = SSE) =>
        student.request("POST", `/v1/chat/sessions/${sessionId}/messages`, { content }, headers);
      const lock = await lockChatMessages(database);
      let running: Response, queued: Response;
      try {
        running = (await within(ask("First: what do mitochondria produce?"), 2000))!;
        queued = (await within(ask("Second: what do mitochondria produce?"), 2000))!;
        assert.equal(running?.status, 200);
        assert.equal(queued?.status, 200);
        for (const headers of [SSE, {}]) {
          const started = performance.now();
          const refused = await within(ask("Third: what do mitochondria produce?", headers), 2000);
          assert.ok(refused && performance.now() - started < 2000, "refused at once, not after a wait");
          assert.equal(refused.status, 503);
          assert.equal(refused.headers.get("retry-after"), "7");
          assert.match(refused.headers.get("content-type") ?? "", /application\/json/);
          const body = await refused.json();
          assert.equal(body.error.code, "UNAVAILABLE");
        }
      } finally {
        await lock.release();
      }
      const [first, second] = await Promise.all([readSse(running), readSse(queued)]);
      assert.equal(first.at(-1)!.event, "done");
      assert.equal(second.at(-1)!.event, "done");
      const questions = await database.db.select().from(chatMessages).where(
        and(eq(chatMessages.sessionId, sessionId), eq(chatMessages.role, "user")),
      );
      assert.deepEqual(questions.map((q) => q.content.split(":")[0]).sort(), ["First", "Second"]);
      assert.equal(w.core.services.chatTurns.running, 0);
    } finally {
      await w.close();
    }
  },
);

dbTest(
  "[core] a streamed question refused by scope or quota ends in one error event, its question not stored",
  async (database) => {
    const w = await createChatWorld(database, { CHAT_DAILY_QUOTA_STUDENT: "1" });
    try {
      await w.addDocument("A", "Biology notes", BIOLOGY);
      const student = w.core.asUser(w.world.studentEnrolled);
      const sessionId = await openSession(student, w.world.courseA);
      const ok = await student.request("POST", `/v1/chat/sessions/${sessionId}/messages`, {
        content: "Hello",
      });
      assert.equal(ok.status, 200);
      await ok.body?.cancel();

      const over = await student.request("POST", `/v1/chat/sessions/${sessionId}/messages`, {
        content: "Hello again",
      }, SSE);
      assert.equal(over.status, 200);
      const events = await readSse(over);
      assert.deepEqual(events.map((e) => e.event), ["error"]);
      const error = events[0].data as Record<string, unknown> & { details: { resetsAt: string } };
      assert.equal(error.code, "QUOTA_EXCEEDED");
      assert.equal(error.messageId, null);
      assert.equal(error.userMessageId, null);
      assert.ok(new Date(error.details.resetsAt).getTime() > Date.now());

      const unknown = await student.request("POST", `/v1/chat/sessions/${crypto.randomUUID()}/messages`, {
        content: "Hello",
      }, SSE);
      assert.equal(unknown.status, 200);
      const missing = await readSse(unknown);
      assert.deepEqual(missing.map((e) => [e.event, e.data.code]), [["error", "NOT_FOUND"]]);

      const stored = await database.db.select().from(chatMessages).where(
        and(eq(chatMessages.sessionId, sessionId), eq(chatMessages.role, "user")),
      );
      assert.deepEqual(stored.map((m) => m.content), ["Hello"]);
      assert.equal(w.core.services.chatTurns.running, 0);
    } finally {
      await w.close();
    }
  },
);

postgresTest(
  "[core] an answer that cannot be stored ends the stream with an error event, not a cut, the question kept",
  async (database) => {
    const w = await createChatWorld(database);
    try {
      await w.addDocument("A", "Biology notes", BIOLOGY);
      const student = w.core.asUser(w.world.studentEnrolled);
      const sessionId = await openSession(student, w.world.courseA);
      await database.db.execute(sql`create function refuse_answers() returns trigger language plpgsql as $$
        begin raise exception 'answers cannot be stored'; end $$`);
      await database.db.execute(sql`create trigger refuse_answers before insert on chat_messages
        for each row when (new.role = 'assistant') execute function refuse_answers()`);
      const res = await student.request("POST", `/v1/chat/sessions/${sessionId}/messages`, {
        content: "What do mitochondria produce?",
      }, SSE);
      assert.equal(res.status, 200);
      const events = await readSse(res);
      const last = events.at(-1)!;
      assert.equal(last.event, "error");
      assert.equal(last.data.code, "INTERNAL");
      assert.equal(last.data.messageId, null);
      const [question] = await database.db.select().from(chatMessages).where(
        eq(chatMessages.sessionId, sessionId),
      );
      assert.equal(last.data.userMessageId, question.id);
      assert.equal(question.content, "What do mitochondria produce?");
    } finally {
      await w.close();
    }
  },
);

postgresTest(
  "[core] a JSON question whose client leaves while it waits for a slot ends quietly: nothing stored, no error logged",
  async (database) => {
    const w = await createChatWorld(database, { CHAT_TURNS_MAX: "1", CHAT_TURN_QUEUE_MAX: "1" });
    try {
      await w.addDocument("A", "Biology notes", BIOLOGY);
      const student = w.core.asUser(w.world.studentEnrolled);
      const sessionId = await openSession(student, w.world.courseA);
      const path = `/v1/chat/sessions/${sessionId}/messages`;
      const lock = await lockChatMessages(database);
      let running: Response;
      try {
        running =
          (await within(student.request("POST", path, { content: "First: what is ATP?" }, SSE), 2000))!;
        assert.equal(running?.status, 200);
        const leaving = new AbortController();
        const waiting = student.request(
          "POST",
          path,
          { content: "Second: what is ATP?" },
          {},
          leaving.signal,
        );
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(w.core.services.chatTurns.queued, 1);
        leaving.abort();
        const left = await within(waiting, 2000);
        assert.ok(left, "answered once the client left");
        assert.equal(left.status, 499);
        assert.equal(w.core.services.chatTurns.queued, 0);
      } finally {
        await lock.release();
      }
      assert.equal((await readSse(running)).at(-1)!.event, "done");
      const questions = await database.db.select().from(chatMessages).where(
        and(eq(chatMessages.sessionId, sessionId), eq(chatMessages.role, "user")),
      );
      assert.deepEqual(questions.map((q) => q.content.split(":")[0]), ["First"]);
      const logger = w.core.services.logger as unknown as { lines: Record<string, unknown>[] };
      assert.deepEqual(logger.lines.filter((l) => l.level === "error"), []);
    } finally {
      await w.close();
    }
  },
);
