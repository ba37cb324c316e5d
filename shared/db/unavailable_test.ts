import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import { dbTest } from "./testing.ts";
import { isDatabaseUnavailable } from "./unavailable.ts";

dbTest(
  "a failing query is not mistaken for an unreachable database; wrapped connection errors are",
  async (database) => {
    const failure = await database.db.execute(sql`select * from no_such_table`).then(
      () => undefined,
      (e) => e,
    );
    assert.ok(failure, "the query failed");
    assert.equal(isDatabaseUnavailable(failure), false);
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    assert.equal(isDatabaseUnavailable(new Error("Failed query: select 1", { cause: refused })), true);
    assert.equal(
      isDatabaseUnavailable(Object.assign(new Error("write CONNECT_TIMEOUT"), { code: "CONNECT_TIMEOUT" })),
      true,
    );
    assert.equal(
      isDatabaseUnavailable(
        Object.assign(new Error("the database system is starting up"), { code: "57P03" }),
      ),
      true,
    );
    assert.equal(isDatabaseUnavailable("ECONNREFUSED"), false);
  },
);
