/** Test helpers for account mail: the newest message to an address, and the token its link carries. */
import { and, desc, eq } from "drizzle-orm";
import type { Database } from "../../shared/db/client.ts";
import { mailMessages } from "../../shared/db/schema/accounts.ts";

/** Messages queued to `to`, newest first. */
export async function mailTo(database: Database, to: string) {
  return await database.db.select().from(mailMessages).where(eq(mailMessages.toAddress, to))
    .orderBy(desc(mailMessages.createdAt));
}

/** The token of the newest `template` message to `to` (from its `?token=` link); throws when there is none. */
export async function tokenFromMail(database: Database, to: string, template: string): Promise<string> {
  const [row] = await database.db.select().from(mailMessages)
    .where(and(eq(mailMessages.toAddress, to), eq(mailMessages.template, template)))
    .orderBy(desc(mailMessages.createdAt)).limit(1);
  const match = row && /[?&]token=([A-Za-z0-9_%-]+)/.exec(row.text);
  if (!match) throw new Error(`No ${template} mail with a link to ${to}`);
  return decodeURIComponent(match[1]);
}
