import assert from "node:assert/strict";
import { dbTest } from "./db/testing.ts";
import { users } from "./db/schema/users.ts";
import { memoryLogger } from "./logger.ts";

dbTest(
  "an error log of a failed query carries the statement and SQLSTATE code, never parameter values",
  async (database) => {
    const secretHash = `$argon2id$v=19$m=19456,t=2,p=1$${crypto.randomUUID()}`;
    const email = `dup-${crypto.randomUUID()}@uni.example`;
    await database.db.insert(users).values({ email, passwordHash: "first", role: "STUDENT" });
    let failure: unknown;
    try {
      await database.db.insert(users).values({ email, passwordHash: secretHash, role: "STUDENT" });
    } catch (err) {
      failure = err;
    }
    assert.ok(failure instanceof Error, "the duplicate insert fails");
    const logger = memoryLogger("core");
    logger.error("unhandled error", { err: failure });
    const line = JSON.stringify(logger.lines);
    assert.ok(!line.includes(secretHash), "no password hash in the log");
    assert.ok(!line.includes(email), "no email in the log");
    const err = logger.lines[0].err as Record<string, string>;
    assert.match(err.query, /insert into "users"/);
    assert.equal(err.code, "23505");
    assert.match(err.stack, /^\s+at /);
  },
);
