/** The production mailer: SMTP through nodemailer (pooled connections, STARTTLS when the server offers it). */
import nodemailer from "nodemailer";
import { type Mailer, type MailReceipt, MailRejected, type OutgoingMail } from "./interface.ts";

/** Settings of the SMTP mailer. */
export interface SmtpOptions {
  /** `smtp://user:pass@host:587` or `smtps://…:465` (credentials URL-encoded). */
  url: string;
  /** Give up on a connection or a reply after this long. */
  timeoutMs?: number;
}

/** Sends through an SMTP server; 5xx replies become `MailRejected` (no retry), anything else is retried. */
export function createSmtpMailer(options: SmtpOptions): Mailer {
  const timeout = options.timeoutMs ?? 15_000;
  const transport = nodemailer.createTransport({
    url: options.url,
    pool: true,
    maxConnections: 2,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    kind: "smtp",
    async send(mail: OutgoingMail): Promise<MailReceipt> {
      try {
        const info = await transport.sendMail({
          from: mail.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          headers: mail.headers,
        });
        if (info.rejected.length > 0) {
          throw new MailRejected(`The server refused ${info.rejected.join(", ")}`);
        }
        return { messageId: info.messageId };
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        if (typeof code === "number" && code >= 500) {
          throw new MailRejected(`The mail server refused the message (${code}): ${(err as Error).message}`, {
            cause: err,
          });
        }
        throw err;
      }
    },
    close() {
      transport.close();
      return Promise.resolve();
    },
  };
}
