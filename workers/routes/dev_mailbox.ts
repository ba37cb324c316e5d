/**
 * `GET /dev/mailbox`: the embedded mailer's inbox as one HTML page (newest 50 messages, with their links), served
 * only when `MAIL_DEV_MAILBOX=true` and mail stays in the database. Never routed through the edge.
 */
import { desc, eq } from "drizzle-orm";
import { mailMessages } from "../../shared/db/schema/accounts.ts";
import { jobs } from "../../shared/db/schema/jobs.ts";
import { linksOf } from "../../shared/mail/database.ts";
import { escapeHtml } from "../../shared/mail/templates.ts";
import type { WorkersApp } from "../services.ts";
import type { WorkersServices } from "../services.ts";

/** Registers the dev mailbox when configuration allows it. */
export function registerDevMailbox(app: WorkersApp, services: WorkersServices): void {
  if (!services.env.MAIL_DEV_MAILBOX || services.mailer.kind !== "database") return;
  app.get("/dev/mailbox", async (c) => {
    const rows = await services.database.db.select({
      mail: mailMessages,
      jobStatus: jobs.status,
      lastError: jobs.lastError,
    }).from(mailMessages).leftJoin(jobs, eq(jobs.id, mailMessages.jobId))
      .orderBy(desc(mailMessages.createdAt)).limit(50);
    const items = rows.map(({ mail, jobStatus, lastError }) => {
      const links = linksOf(mail.text).map((l) => `<a href="${escapeHtml(l)}">${escapeHtml(l)}</a>`);
      return `<article dir="${mail.locale === "ar" ? "rtl" : "ltr"}">
<h2>${escapeHtml(mail.subject)}</h2>
<p><b>To</b> ${escapeHtml(mail.toAddress)} · ${mail.createdAt.toISOString()} · ${escapeHtml(mail.status)}${
        jobStatus === "dead" ? ` (dead: ${escapeHtml(lastError ?? "")})` : ""
      }</p>
<pre dir="auto">${escapeHtml(mail.text)}</pre>
<p>${links.join("<br>")}</p></article>`;
    });
    c.header("Cache-Control", "no-store");
    return c.html(`<!doctype html><html><head><meta charset="utf-8"><title>Dev mailbox</title></head>
<body style="font-family:sans-serif"><h1>Dev mailbox (${rows.length})</h1>${
      items.join("<hr>")
    }</body></html>`);
  });
}
