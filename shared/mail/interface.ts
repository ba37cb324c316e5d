/** Sending mail: the SMTP mailer in production, the database mailbox as the embedded default. */

/** One rendered message ready to hand to a mail server. */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers, e.g. `Content-Language`. */
  headers?: Record<string, string>;
}

/** What a mailer answers after accepting a message. */
export interface MailReceipt {
  /** The server's message id, when it gives one. */
  messageId?: string;
}

/** A way to deliver mail. Throws on failure; `MailRejected` when retrying cannot help. */
export interface Mailer {
  /** `database`: the message stays in `mail_messages` (dev mailbox); `smtp`: handed to a mail server. */
  readonly kind: "database" | "smtp";
  send(mail: OutgoingMail): Promise<MailReceipt>;
  /** Releases connections (SMTP pool). */
  close(): Promise<void>;
}

/** A permanent refusal by the mail server (5xx): the same message will be refused again. */
export class MailRejected extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "MailRejected";
  }
}
