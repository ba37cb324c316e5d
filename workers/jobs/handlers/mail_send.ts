import { eq } from "drizzle-orm";
import { mailMessages } from "@app/shared/db/schema/accounts.ts";
import { MailRejected } from "@app/shared/mail/interface.ts";
import { defineJob, PermanentJobError } from "../registry.ts";

/**
 * `mail.send`: hands one stored message to the configured mailer. A message already sent is not sent again (a
 * re-run after a crash between sending and recording can still send twice: SMTP has no idempotency key). A 5xx
 * refusal is dead at once with the server's reason; anything else is retried with the job's backoff. With SMTP the
 * bodies are cleared after delivery: they may carry a single-use link, and the mail server now has the copy.
 */
export const sendMail = defineJob("mail.send", async ({ payload, database, deps, logger }) => {
  const [message] = await database.db.select().from(mailMessages).where(
    eq(mailMessages.id, payload.messageId),
  );
  if (!message) throw new PermanentJobError(`Mail message ${payload.messageId} does not exist`);
  if (message.status === "sent") return { result: { alreadySent: true } };
  const mailer = deps.mailer;
  if (!mailer) throw new Error("No mailer is configured in this process");
  try {
    const receipt = await mailer.send({
      from: deps.mailFrom ?? "AI Teacher <no-reply@localhost>",
      to: message.toAddress,
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: { "Content-Language": message.locale },
    });
    const cleared = mailer.kind === "smtp" ? { text: "", html: "" } : {};
    await database.db.update(mailMessages).set({
      status: "sent",
      sentAt: new Date(),
      transport: mailer.kind,
      providerMessageId: receipt.messageId ?? null,
      ...cleared,
    }).where(eq(mailMessages.id, message.id));
    return { result: { transport: mailer.kind, messageId: receipt.messageId ?? null } };
  } catch (err) {
    if (err instanceof MailRejected) {
      await database.db.update(mailMessages).set({ status: "dead" }).where(eq(mailMessages.id, message.id));
      throw new PermanentJobError(err.message, { cause: err });
    }
    logger.warn("mail delivery failed; will retry", { err });
    throw err;
  }
});
