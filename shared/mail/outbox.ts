/** Asking for mail: the message is rendered now, stored, and sent by a `mail.send` job (outbox, retries, dead). */
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { mailMessages } from "../db/schema/accounts.ts";
import { enqueueJob } from "../jobs/enqueue.ts";
import { type MailLocale, renderMail, type TemplateName, type TemplateParams } from "./templates.ts";

/** Attempts a mail job gets before it is dead, unless the caller says otherwise. */
export const DEFAULT_MAIL_ATTEMPTS = 6;

/** What to send to whom. */
export interface MailRequest<K extends TemplateName> {
  to: string;
  /** The account it concerns, when there is one (its data export lists it). */
  userId?: string | null;
  locale: MailLocale;
  template: K;
  params: TemplateParams[K];
  maxAttempts?: number;
}

/**
 * Renders and stores a message and enqueues its delivery, in the caller's transaction: the domain change and the
 * mail about it commit together or not at all. Returns the message id.
 */
export async function queueMail<K extends TemplateName>(tx: Db, request: MailRequest<K>): Promise<string> {
  const rendered = renderMail(request.template, request.locale, request.params);
  const [row] = await tx.insert(mailMessages).values({
    userId: request.userId ?? null,
    toAddress: request.to,
    locale: request.locale,
    template: request.template,
    ...rendered,
  }).returning({ id: mailMessages.id });
  const job = await enqueueJob(tx, {
    type: "mail.send",
    payload: { messageId: row.id },
    ownerUserId: null,
    maxAttempts: request.maxAttempts ?? DEFAULT_MAIL_ATTEMPTS,
  });
  await tx.update(mailMessages).set({ jobId: job.id }).where(eq(mailMessages.id, row.id));
  return row.id;
}
