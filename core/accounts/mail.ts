/** Mail about accounts: the recipient's language and the links mail carries. */
import { eq } from "drizzle-orm";
import type { Db } from "../../shared/db/client.ts";
import { userProfiles } from "../../shared/db/schema/academics.ts";
import type { MailLocale } from "../../shared/mail/templates.ts";
import type { CoreEnv } from "../env.ts";

/** The language a user reads mail in: their profile's, else the deployment's default. */
export async function mailLocaleOf(
  db: Db,
  env: Pick<CoreEnv, "MAIL_DEFAULT_LOCALE">,
  userId: string | null,
): Promise<MailLocale> {
  if (!userId) return env.MAIL_DEFAULT_LOCALE;
  const [profile] = await db.select({ lang: userProfiles.preferredLanguage }).from(userProfiles)
    .where(eq(userProfiles.userId, userId)).limit(1);
  return profile?.lang ?? env.MAIL_DEFAULT_LOCALE;
}

/** A link into the web app carrying a token: `${PUBLIC_WEB_URL}/<page>?token=…`. */
export function tokenLink(env: Pick<CoreEnv, "PUBLIC_WEB_URL">, page: string, token: string): string {
  return `${env.PUBLIC_WEB_URL}/${page}?token=${encodeURIComponent(token)}`;
}
