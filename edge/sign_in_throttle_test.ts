/**
 * Campus-safe sign-in throttling through the edge and core together: an attacker's wrong guesses slow an account
 * down but cannot lock its owner out, and the owner's own device is not slowed at all.
 */
import assert from "node:assert/strict";
import { createTestUser } from "../core/auth/testing.ts";
import { dbTest } from "../shared/db/testing.ts";
import { createTestStack } from "../testing/stack.ts";

const json = { "content-type": "application/json" };

dbTest(
  "[edge] wrong guesses slow a professor's account down for seconds, not a lock, and their device gets in",
  async (database) => {
    const stack = createTestStack(database);
    const professor = await createTestUser(database, { role: "ACADEMIC" });
    const signIn = (password: string, headers: Record<string, string> = {}) =>
      stack.edge.request("/api/v1/auth/login", {
        method: "POST",
        headers: { ...json, ...headers },
        body: JSON.stringify({ email: professor.email, password }),
      });
    // The professor signed in on their laptop last week: it holds a refresh cookie.
    const earlier = await signIn(professor.password);
    assert.equal(earlier.status, 200);
    const cookie = earlier.headers.getSetCookie().find((c) => c.startsWith("refresh_token="))!.split(";")[0];

    // An attacker tries passwords before the exam.
    const attacker = [];
    for (let i = 0; i < 8; i++) attacker.push((await signIn(`guess-${i}`)).status);
    // Five failures cost nothing; then each attempt must wait after the last failure (refused ones do not count).
    assert.deepEqual(attacker, [401, 401, 401, 401, 401, 429, 429, 429]);

    // From a new device the right password waits a few seconds, never the old 15 minutes.
    const newDevice = await signIn(professor.password);
    assert.equal(newDevice.status, 429);
    const wait = Number(newDevice.headers.get("retry-after"));
    assert.ok(wait >= 1 && wait <= 2, `Retry-After ${wait}`);
    // From the laptop the right password gets in at once.
    const laptop = await signIn(professor.password, { cookie });
    assert.equal(laptop.status, 200);
    // The laptop's refresh token does not help a wrong password.
    assert.equal((await signIn("guess-x", { cookie })).status, 401);
  },
);

dbTest(
  "[edge] an admin's unlock also clears the edge's per-email limit: the owner gets in and old failures no longer count",
  async (database) => {
    // A per-email limit below core's own slow-down (five free failures), so the edge's block is what refuses.
    const stack = createTestStack(database, { edgeEnv: { RATE_LIMITS: "login_email=3/15m" } });
    const student = await createTestUser(database, { role: "STUDENT" });
    const admin = await createTestUser(database, { role: "ADMIN" });
    const signIn = (password: string) =>
      stack.edge.request("/api/v1/auth/login", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ email: student.email, password }),
      });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await signIn(`guess-${i}`)).status);
    assert.deepEqual(statuses, [401, 401, 401]);
    const blocked = await signIn(student.password);
    assert.equal(blocked.status, 429, "the edge blocks the email, right password or not");
    assert.equal((await blocked.json()).error.details.rule, "login_email");

    const unlock = await stack.edge.request(`/api/v1/users/${student.id}/unlock`, {
      method: "POST",
      headers: await stack.bearer(admin),
    });
    assert.equal(unlock.status, 200);
    // The count starts again: one more wrong guess is one of three, not the fourth that blocks again.
    assert.equal((await signIn("guess-after-unlock")).status, 401);
    assert.equal((await signIn(student.password)).status, 200, "the owner gets in at once");

    // Without the unlock the same email stays blocked (the block is the edge's, not core's).
    const other = await createTestUser(database, { role: "STUDENT" });
    const otherSignIn = (password: string) =>
      stack.edge.request("/api/v1/auth/login", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ email: other.email, password }),
      });
    for (let i = 0; i < 3; i++) await otherSignIn(`guess-${i}`);
    assert.equal((await otherSignIn(other.password)).status, 429);
  },
);
