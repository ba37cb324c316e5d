import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { mailMessages } from "@app/shared/db/schema/accounts.ts";
import { dbTest } from "@app/shared/db/testing.ts";
import { memoryLogger } from "@app/shared/logger.ts";
import { createDatabaseMailer } from "@app/shared/mail/database.ts";
import { queueMail } from "@app/shared/mail/outbox.ts";
import { createSmtpMailer } from "@app/shared/mail/smtp.ts";
import { startTestSmtpServer } from "@app/shared/mail/testing.ts";
import { jobById, runJobNow, testRunner } from "../testing.ts";
import { createWorkersApp } from "../../app.ts";
import { buildWorkersServices } from "../../main.ts";
import { loadWorkersEnv } from "../../env.ts";

const FROM = "AI Teacher <no-reply@uni.test>";

async function messageRow(database: Parameters<Parameters<typeof dbTest>[1]>[0], id: string) {
  const [row] = await database.db.select().from(mailMessages).where(eq(mailMessages.id, id));
  return row;
}

dbTest(
  "mail.send delivers an Arabic message to a real SMTP server with text and HTML parts",
  async (database) => {
    const smtp = await startTestSmtpServer();
    const mailer = createSmtpMailer({ url: smtp.url, timeoutMs: 5000 });
    try {
      const to = `student-${crypto.randomUUID()}@uni.test`;
      const id = await database.db.transaction((tx) =>
        queueMail(tx, {
          to,
          locale: "ar",
          template: "password_reset",
          params: { link: "https://app.uni.test/reset-password?token=abc123", minutes: 30 },
        })
      );
      const row = await messageRow(database, id);
      const outcome = await runJobNow(
        database,
        row.jobId!,
        testRunner(database, { deps: { mailer, mailFrom: FROM } }),
      );
      assert.equal(outcome, "succeeded");
      const [mail] = await smtp.waitFor(1);
      assert.deepEqual(mail.to, [to]);
      assert.equal(mail.from, "no-reply@uni.test");
      assert.equal(mail.subject, "إعادة تعيين كلمة المرور");
      assert.match(mail.text, /https:\/\/app\.uni\.test\/reset-password\?token=abc123/);
      assert.match(mail.html, /dir="rtl"/);
      assert.match(mail.html, /href="https:\/\/app\.uni\.test\/reset-password\?token=abc123"/);
      assert.equal(mail.headers.get("content-language"), "ar");
      const after = await messageRow(database, id);
      assert.equal(after.status, "sent");
      assert.equal(after.transport, "smtp");
      assert.ok(after.providerMessageId);
      // The single-use link does not linger in the database once the server has the message.
      assert.equal(after.text, "");
      assert.equal(after.html, "");
      // A second delivery of the same job does not send again.
      assert.equal((await jobById(database, row.jobId!)).status, "succeeded");
    } finally {
      await mailer.close();
      await smtp.close();
    }
  },
);

dbTest(
  "mail.send is dead at once with the server's reason when the recipient is refused (550)",
  async (database) => {
    const to = `nobody-${crypto.randomUUID()}@uni.test`;
    const smtp = await startTestSmtpServer({ rejectRecipients: [to] });
    const mailer = createSmtpMailer({ url: smtp.url, timeoutMs: 5000 });
    try {
      const id = await database.db.transaction((tx) =>
        queueMail(tx, { to, locale: "en", template: "password_changed", params: {} })
      );
      const row = await messageRow(database, id);
      const outcome = await runJobNow(
        database,
        row.jobId!,
        testRunner(database, { deps: { mailer, mailFrom: FROM } }),
      );
      assert.equal(outcome, "dead");
      const job = await jobById(database, row.jobId!);
      assert.equal(job.attempts, 1);
      assert.match(job.lastError ?? "", /550/);
      assert.equal((await messageRow(database, id)).status, "dead");
      assert.equal(smtp.delivered.length, 0);
    } finally {
      await mailer.close();
      await smtp.close();
    }
  },
);

dbTest(
  "mail.send retries while the SMTP server is down and is dead after the last attempt",
  async (database) => {
    // A port that was just free: nothing listens there.
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${port}`, timeoutMs: 2000 });
    try {
      const id = await database.db.transaction((tx) =>
        queueMail(tx, {
          to: "someone@uni.test",
          locale: "en",
          template: "password_changed",
          params: {},
          maxAttempts: 2,
        })
      );
      const row = await messageRow(database, id);
      const runner = testRunner(database, { deps: { mailer, mailFrom: FROM } });
      assert.equal(await runJobNow(database, row.jobId!, runner), "retry");
      assert.equal((await jobById(database, row.jobId!)).status, "failed");
      assert.equal(await runJobNow(database, row.jobId!, runner), "dead");
      const job = await jobById(database, row.jobId!);
      assert.equal(job.status, "dead");
      assert.match(job.lastError ?? "", /ECONNREFUSED|connect/i);
      assert.equal((await messageRow(database, id)).status, "queued");
    } finally {
      await mailer.close();
    }
  },
);

dbTest(
  "the database mailer keeps the message, logs its links and shows it in the dev mailbox",
  async (database) => {
    const logger = memoryLogger("workers");
    const mailer = createDatabaseMailer(logger);
    const to = `dev-${crypto.randomUUID()}@uni.test`;
    const id = await database.db.transaction((tx) =>
      queueMail(tx, {
        to,
        locale: "en",
        template: "verify_email",
        params: { link: "http://localhost:8080/verify-email?token=xyz", hours: 24 },
      })
    );
    const row = await messageRow(database, id);
    assert.equal(
      await runJobNow(database, row.jobId!, testRunner(database, { deps: { mailer } })),
      "succeeded",
    );
    const after = await messageRow(database, id);
    assert.equal(after.status, "sent");
    assert.equal(after.transport, "database");
    assert.match(after.text, /verify-email\?token=xyz/);
    const line = logger.lines.find((l) => l.to === to);
    assert.deepEqual(line?.links, ["http://localhost:8080/verify-email?token=xyz"]);

    const env = loadWorkersEnv({ MAIL_DEV_MAILBOX: "true", LOG_LEVEL: "error", DATA_DIR: "memory://" });
    const services = buildWorkersServices(env, database);
    const page = await createWorkersApp(services).request("/dev/mailbox");
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    const html = await page.text();
    assert.ok(html.includes(to));
    assert.ok(html.includes("verify-email?token=xyz"));

    const off = buildWorkersServices(loadWorkersEnv({ LOG_LEVEL: "error", DATA_DIR: "memory://" }), database);
    assert.equal((await createWorkersApp(off).request("/dev/mailbox")).status, 404);
  },
);
