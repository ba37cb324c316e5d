/**
 * Chat turns do their database work on a pool of their own (`DATABASE_CHAT_POOL_MAX`), so a plain request gets a
 * connection while turns hold theirs. At 1,000 concurrent chats the turns kept all of the main pool's connections
 * busy and plain requests (search, lists, session creates) waited behind them past clients' timeouts (docs/load.md).
 * Here turns are made to hold their connections by a row lock on their session, which the stored question's
 * statement waits for. Postgres only; run with `DATABASE_URL` set.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { type Database, openPostgres } from "../../shared/db/client.ts";
import { migrateDatabase } from "../../shared/db/migrate.ts";
import { createThrowawayPostgres } from "../../shared/db/testing.ts";
import { coreEnvSchema } from "../env.ts";
import { openChatDatabase } from "../main.ts";
import { createChatWorld, readSse } from "./testing.ts";

const MAIN_POOL = 2;
const TURNS = MAIN_POOL + 1;

/** Resolves with the response, or with "timeout" after `ms`. */
function within(ms: number, request: Promise<Response>): Promise<Response | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    request,
    new Promise<"timeout">((resolve) => timer = setTimeout(() => resolve("timeout"), ms)),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Starts `TURNS` streamed turns in one session while its row is locked, waits until all of them wait for the lock
 * (each holding a connection of the pool turns use), and returns how a plain request fared meanwhile; then releases
 * the lock and checks that every turn completed.
 */
async function plainRequestWhileTurnsHoldConnections(
  url: string,
  main: Database,
  chat: Database,
): Promise<Response | "timeout"> {
  const w = await createChatWorld(main, {}, { chatDatabase: chat });
  const locker = postgres(url, { max: 1, onnotice: () => {} });
  const watcher = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await w.addDocument("A", "Biology notes", ["Mitochondria produce ATP through cellular respiration."]);
    const student = w.core.asUser(w.world.studentEnrolled);
    const opened = await student.request("POST", "/v1/chat/sessions", { courseId: w.world.courseA });
    assert.equal(opened.status, 201);
    const sessionId = (await opened.json()).id as string;

    let release!: () => void;
    const released = new Promise<void>((r) => release = r);
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => locked = r);
    const lock = locker.begin(async (tx) => {
      await tx`select id from chat_sessions where id = ${sessionId} for update`;
      locked();
      await released;
    });
    await isLocked;
    try {
      const turns = Array.from(
        { length: TURNS },
        (_, i) =>
          student.request("POST", `/v1/chat/sessions/${sessionId}/messages`, {
            content: `What do mitochondria produce? (${i})`,
          }, { accept: "text/event-stream" }),
      );
      // The turns now wait for the lock inside their transactions, each holding a connection (on a shared pool of 2,
      // the third waits for one of those).
      const holding = chat === main ? MAIN_POOL : TURNS;
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [{ n }] = await watcher`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`;
        if (n >= holding) break;
        assert.ok(Date.now() < deadline, `only ${n} of ${holding} turns reached the lock`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const plain = await within(3_000, student.request("GET", "/v1/me/courses"));
      release();
      await lock;
      for (const response of await Promise.all(turns)) {
        assert.equal(response.status, 200);
        const events = await readSse(response);
        assert.equal(events.at(-1)?.event, "done", JSON.stringify(events.at(-1)));
      }
      return plain;
    } finally {
      release();
      await lock.catch(() => {});
    }
  } finally {
    await locker.end();
    await watcher.end();
    await w.close();
  }
}

Deno.test({
  name: "[postgres] a plain request gets a connection while chat turns hold theirs",
  ignore: !Deno.env.get("DATABASE_URL"),
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const url = await createThrowawayPostgres();
    const main = await openPostgres({ url, dataDir: "", poolMax: MAIN_POOL });
    try {
      await migrateDatabase(main);
      await t.step("turns on a pool of their own: the plain request answers at once", async () => {
        const chat = await openPostgres({ url, dataDir: "", poolMax: TURNS + 1 });
        try {
          const plain = await plainRequestWhileTurnsHoldConnections(url, main, chat);
          assert.notEqual(plain, "timeout", "the plain request waited for the turns' connections");
          assert.equal((plain as Response).status, 200);
          await (plain as Response).body?.cancel();
        } finally {
          await chat.close();
        }
      });
      await t.step(
        "turns on the main pool (DATABASE_CHAT_POOL_MAX=0): the plain request waits for them",
        async () => {
          const plain = await plainRequestWhileTurnsHoldConnections(url, main, main);
          if (plain !== "timeout") await plain.body?.cancel();
          assert.equal(plain, "timeout");
        },
      );
    } finally {
      await main.close();
    }
  },
});

Deno.test("the chat pool is opened only on Postgres with DATABASE_CHAT_POOL_MAX > 0", async () => {
  const pglite = { kind: "pglite" } as Database;
  const env = (vars: Record<string, string>) =>
    coreEnvSchema.parse({ EDGE_ASSERTION_SECRET: "x".repeat(32), ...vars });
  assert.equal(await openChatDatabase(env({}), pglite), pglite);
  const postgresDb = { kind: "postgres" } as Database;
  assert.equal(
    await openChatDatabase(
      env({ DATABASE_URL: "postgres://u@127.0.0.1:1/x", DATABASE_CHAT_POOL_MAX: "0" }),
      postgresDb,
    ),
    postgresDb,
  );
  assert.equal(env({}).DATABASE_CHAT_POOL_MAX, 8);
});
