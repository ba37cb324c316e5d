/**
 * The embedded default mailer: nothing leaves the machine. Messages already live in `mail_messages` (read them at
 * the workers' `/dev/mailbox` page when `MAIL_DEV_MAILBOX=true`); this mailer logs each one with its links, so a
 * developer can follow a reset or invitation link from the console.
 */
import type { Logger } from "../logger.ts";
import type { Mailer, MailReceipt, OutgoingMail } from "./interface.ts";

/** Links in a plain-text body. */
export function linksOf(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((m) => m[0]);
}

/** A mailer that keeps mail in the database and prints where it would have gone. */
export function createDatabaseMailer(logger: Logger): Mailer {
  return {
    kind: "database",
    send(mail: OutgoingMail): Promise<MailReceipt> {
      logger.info("mail stored in the dev mailbox (not sent)", {
        to: mail.to,
        subject: mail.subject,
        links: linksOf(mail.text),
      });
      return Promise.resolve({});
    },
    close: () => Promise.resolve(),
  };
}
