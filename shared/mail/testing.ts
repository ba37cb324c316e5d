/**
 * A real SMTP server for tests (the `smtp-server` package, in this process, on a free port): it accepts what
 * nodemailer sends, parses each message with `mailparser`, and can refuse chosen recipients with a 550, as a real
 * server does for an unknown mailbox.
 */
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** One message the test server accepted. */
export interface DeliveredMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: Map<string, unknown>;
}

/** A running test SMTP server. */
export interface TestSmtpServer {
  url: string;
  port: number;
  delivered: DeliveredMail[];
  /** Waits until `count` messages arrived (default: one more than now). */
  waitFor(count?: number, timeoutMs?: number): Promise<DeliveredMail[]>;
  close(): Promise<void>;
}

/** Starts an SMTP server on 127.0.0.1; `rejectRecipients` get `550 No such mailbox`. */
export async function startTestSmtpServer(
  options: { rejectRecipients?: string[] } = {},
): Promise<TestSmtpServer> {
  const delivered: DeliveredMail[] = [];
  const pending: Promise<void>[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipients?.includes(address.address)) {
        const err = Object.assign(new Error("No such mailbox"), { responseCode: 550 });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      pending.push(
        simpleParser(stream).then((parsed) => {
          delivered.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
            html: typeof parsed.html === "string" ? parsed.html : "",
            headers: parsed.headers as Map<string, unknown>,
          });
          callback();
        }, (err) => callback(err)),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    delivered,
    async waitFor(count = delivered.length + 1, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (delivered.length < count) {
        if (Date.now() > end) {
          throw new Error(`Timed out waiting for ${count} messages (got ${delivered.length})`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      await Promise.all(pending);
      return delivered;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
