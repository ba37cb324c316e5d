import assert from "node:assert/strict";
import { dbTest } from "../../shared/db/testing.ts";
import { findUnstorableText, isStorableText } from "../../shared/http/text_guard.ts";
import { createTestCore, createTestUser } from "../testing.ts";

const LONE = "\ud800";

async function assertRefused(res: Response, where: string) {
  assert.equal(res.status, 400, `${where}: ${res.status}`);
  const body = await res.json();
  assert.equal(body.error.code, "VALIDATION_FAILED", where);
  assert.match(body.error.details[0].message, /NUL characters or unpaired surrogates/, where);
}

Deno.test("isStorableText() refuses NUL and lone surrogates and accepts paired ones", () => {
  assert.equal(isStorableText("plain"), true);
  assert.equal(isStorableText("emoji \ud83d\ude00 and عربي"), true);
  assert.equal(isStorableText("evil\u0000name"), false);
  assert.equal(isStorableText(`a${LONE}b`), false);
  assert.equal(isStorableText("\udc00"), false);
  assert.equal(findUnstorableText({ a: [{ b: "ok" }, { c: `x${LONE}` }] }), "a.1.c");
  assert.equal(findUnstorableText({ ["k\u0000"]: 1 }), "k\u0000");
  assert.equal(findUnstorableText({ a: "ok", n: 1, z: null }), undefined);
});

dbTest(
  "[core] NUL and lone surrogates get 400 at validation on every kind of input, never 500",
  async (database) => {
    const core = createTestCore(database);
    const user = await createTestUser(database, "STUDENT");
    const admin = await createTestUser(database, "ADMIN");
    const anon = core.anonymous;
    await assertRefused(
      await anon.request("POST", "/v1/auth/login", { email: "evil\u0000name@uni.example", password: "x" }),
      "login",
    );
    await assertRefused(
      await anon.request("POST", "/v1/auth/register", {
        email: `s-${crypto.randomUUID()}@uni.example`,
        password: `a long passphrase ${LONE}`,
      }),
      "register",
    );
    await assertRefused(
      await core.asUser(user).request("PATCH", "/v1/me", { displayName: `A${LONE}` }),
      "PATCH /me",
    );
    await assertRefused(await core.asUser(user).request("GET", "/v1/courses?q=a%00b"), "query");
    await assertRefused(
      await core.asUser(admin).request("POST", "/v1/faculties", { name: "Sci\u0000ence", code: "SCI" }),
      "faculty",
    );
    const course = crypto.randomUUID();
    await assertRefused(
      await core.asUser(admin).request(
        "POST",
        `/v1/courses/${course}/enrollments/import`,
        "email,role\nev\u0000il@uni.example,student\n",
        { "content-type": "text/csv" },
      ),
      "roster CSV",
    );
    await assertRefused(
      await core.asUser(admin).request("POST", `/v1/courses/${course}/documents`, {
        fileName: `notes${LONE}.pdf`,
        type: "pdf",
        sizeBytes: 10,
      }),
      "upload file name",
    );
    await assertRefused(await core.asUser(user).request("GET", "/v1/documents/a%00b"), "path param");
  },
);
