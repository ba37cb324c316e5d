import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { mailMessages } from "@app/shared/db/schema/accounts.ts";
import { notifications } from "@app/shared/db/schema/notifications.ts";
import { users } from "@app/shared/db/schema/users.ts";
import { dbTest } from "@app/shared/db/testing.ts";
import { enqueueJob } from "@app/shared/jobs/enqueue.ts";
import { setMailPreference } from "@app/shared/notifications/preferences.ts";
import { createTestStack } from "@app/testing/stack.ts";
import { createTestUser } from "@app/core/auth/testing.ts";
import { jobById, makeUser, runJobNow, testRunner } from "../testing.ts";

async function deliver(database: Parameters<Parameters<typeof dbTest>[1]>[0], userId: string, kind: string) {
  const job = await enqueueJob(database.db, {
    type: "notifications.deliver",
    payload: { userId, kind, title: `About ${kind}`, body: "Details." },
  });
  assert.equal(await runJobNow(database, job.id, testRunner(database)), "succeeded");
  return job.id;
}

const mailOf = async (database: Parameters<Parameters<typeof dbTest>[1]>[0], userId: string) =>
  await database.db.select().from(mailMessages).where(eq(mailMessages.userId, userId));

dbTest("notifications.deliver also mails important kinds by default, and never twice", async (database) => {
  const userId = await makeUser(database);
  const jobId = await deliver(database, userId, "document.failed");
  const [mail] = await mailOf(database, userId);
  assert.equal(mail.template, "notification");
  assert.equal(mail.subject, "About document.failed");
  // A second delivery of the same job adds neither a notification nor a mail.
  await database.db.update((await import("@app/shared/db/schema/jobs.ts")).jobs)
    .set({ status: "queued" }).where(eq((await import("@app/shared/db/schema/jobs.ts")).jobs.id, jobId));
  assert.equal(await runJobNow(database, jobId, testRunner(database)), "succeeded");
  assert.equal((await mailOf(database, userId)).length, 1);
  assert.equal(
    (await database.db.select().from(notifications).where(eq(notifications.userId, userId))).length,
    1,
  );
  assert.equal((await jobById(database, jobId)).status, "succeeded");
});

dbTest(
  "notifications.deliver respects a user's choice and never mails kinds that are off by default",
  async (database) => {
    const userId = await makeUser(database);
    await setMailPreference(database.db, userId, "exam.published", false);
    await deliver(database, userId, "exam.published");
    await deliver(database, userId, "exam.attempt_graded");
    await deliver(database, userId, "some.unknown_kind");
    assert.deepEqual(await mailOf(database, userId), []);
    await setMailPreference(database.db, userId, "exam.attempt_graded", true);
    await deliver(database, userId, "exam.attempt_graded");
    assert.equal((await mailOf(database, userId)).length, 1);
  },
);

dbTest("[edge] a user reads and changes their mail preferences", async (database) => {
  const stack = createTestStack(database);
  const user = await createTestUser(database);
  const auth = await stack.bearer(user);
  const before = await stack.edge.request("/api/v1/me/notification-preferences", { headers: auth });
  assert.equal(before.status, 200);
  const items = (await before.json()).items as { kind: string; email: boolean }[];
  assert.equal(items.find((i) => i.kind === "exam.published")?.email, true);
  const put = await stack.edge.request("/api/v1/me/notification-preferences", {
    method: "PUT",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ kind: "exam.published", email: false }),
  });
  assert.equal(put.status, 200);
  assert.equal(
    (await put.json()).items.find((i: { kind: string }) => i.kind === "exam.published").email,
    false,
  );
  const bad = await stack.edge.request("/api/v1/me/notification-preferences", {
    method: "PUT",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ kind: "nonsense", email: false }),
  });
  assert.equal(bad.status, 400);
  assert.equal((await stack.edge.request("/api/v1/me/notification-preferences")).status, 401);
});

dbTest("[edge] changing one's password mails the account event", async (database) => {
  const stack = createTestStack(database);
  const user = await createTestUser(database);
  const res = await stack.edge.request("/api/v1/auth/password", {
    method: "POST",
    headers: { ...(await stack.bearer(user)), "content-type": "application/json" },
    body: JSON.stringify({ currentPassword: user.password, newPassword: "a different passphrase" }),
  });
  assert.equal(res.status, 200);
  const mails = await mailOf(database, user.id);
  assert.deepEqual(mails.map((m) => m.template), ["password_changed"]);
  const [row] = await database.db.select().from(users).where(eq(users.id, user.id));
  assert.equal(mails[0].toAddress, row.email);
});
