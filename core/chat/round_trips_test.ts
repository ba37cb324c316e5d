/**
 * How often one chat turn asks the database pool for a connection, and how many statements it sends, counted at the
 * driver (postgres.js's `debug` hook: every statement, `begin` and `commit` included). At 1,000 concurrent chats
 * every ask waits behind the pool's queue (docs/load.md), so these bounds are a capacity test, not a style one.
 * Postgres only (the hook is postgres.js's); run with `DATABASE_URL` set.
 */
import assert from "node:assert/strict";
import { openPostgres } from "../../shared/db/client.ts";
import { migrateDatabase } from "../../shared/db/migrate.ts";
import { createThrowawayPostgres } from "../../shared/db/testing.ts";
import { databaseExamLockout } from "../../shared/exams/lockout.ts";
import { createChatWorld, readSse } from "./testing.ts";

/** Statements and pool asks (a statement outside a transaction, or a transaction) seen since the last `reset`. */
class QueryCounter {
  statements: string[] = [];
  asks = 0;
  #inTx = new Set<number>();
  record = (connection: number, query: string) => {
    const q = query.trim().toLowerCase();
    this.statements.push(q.replace(/\s+/g, " ").slice(0, 100));
    if (q.startsWith("begin")) {
      this.#inTx.add(connection);
      this.asks++;
    } else if (q === "commit" || q === "rollback") {
      this.#inTx.delete(connection);
    } else if (!this.#inTx.has(connection)) {
      this.asks++;
    }
  };
  reset() {
    this.statements = [];
    this.asks = 0;
  }
}

// Bounds per turn, the core's own middleware (the account check) included. Before this was counted a streamed turn
// of a student with a role quota took 10 pool asks and 25 statements (the first turn of a session), measured here.
const MAX_ASKS = 6;
const MAX_STATEMENTS = 15;

Deno.test({
  name: "[postgres] a chat turn's database round trips stay within their bound",
  ignore: !Deno.env.get("DATABASE_URL"),
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const counter = new QueryCounter();
    const url = await createThrowawayPostgres();
    const database = await openPostgres({ url, dataDir: "", poolMax: 5, onQuery: counter.record });
    try {
      await migrateDatabase(database);
      // The production lockout (a query per turn), and a role quota so the quota is counted.
      const w = await createChatWorld(database, { CHAT_DAILY_QUOTA_STUDENT: "200" }, {
        examLockout: databaseExamLockout(database),
      });
      try {
        await w.addDocument("A", "Biology notes", [
          "Mitochondria are the powerhouse of the cell, producing ATP through cellular respiration.",
        ]);
        const student = w.core.asUser(w.world.studentEnrolled);
        const opened = await student.request("POST", "/v1/chat/sessions", { courseId: w.world.courseA });
        assert.equal(opened.status, 201);
        const sessionId = (await opened.json()).id as string;
        for (const question of ["What do mitochondria produce?", "And where does respiration happen?"]) {
          counter.reset();
          const res = await student.request("POST", `/v1/chat/sessions/${sessionId}/messages`, {
            content: question,
          }, { accept: "text/event-stream" });
          assert.equal(res.status, 200);
          const events = await readSse(res);
          assert.equal(events.at(-1)?.event, "done", JSON.stringify(events.at(-1)));
          const seen = `${counter.asks} asks, ${counter.statements.length} statements:\n` +
            counter.statements.join("\n");
          console.log(seen);
          assert.ok(counter.asks <= MAX_ASKS, seen);
          assert.ok(counter.statements.length <= MAX_STATEMENTS, seen);
        }
      } finally {
        await w.close();
      }
    } finally {
      await database.close();
    }
  },
});
