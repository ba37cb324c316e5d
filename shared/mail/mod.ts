import type { Logger } from "../logger.ts";
import { createDatabaseMailer } from "./database.ts";
import type { Mailer } from "./interface.ts";
import { createSmtpMailer } from "./smtp.ts";

export type { Mailer, OutgoingMail } from "./interface.ts";

/** Picks the mailer from configuration: SMTP when `SMTP_URL` is set, else the database mailbox. */
export function createMailer(env: { SMTP_URL?: string }, logger: Logger): Mailer {
  return env.SMTP_URL ? createSmtpMailer({ url: env.SMTP_URL }) : createDatabaseMailer(logger);
}
