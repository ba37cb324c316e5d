import { z } from "zod";
import { envTypes } from "../env.ts";

/** How the workers send mail (part of the workers' env schema). */
export const mailEnv = {
  /** `smtp://user:pass@host:587` or `smtps://…`; unset keeps mail in the database (the dev mailbox). */
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "must start with smtp:// or smtps://").optional(),
  /** Sender of every message. */
  MAIL_FROM: z.string().default("AI Teacher <no-reply@localhost>"),
  /** Serve `GET /dev/mailbox` on the workers tier (only with the database mailer; `deno task dev` turns it on). */
  MAIL_DEV_MAILBOX: envTypes.bool(false),
};
