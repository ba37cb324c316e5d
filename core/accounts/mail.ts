/** Mail about accounts: the recipient's language and the links mail carries. */
import { eq } from "drizzle-orm";
import type { Db } from "../../shared/db/client.ts";
import { userProfiles } from "../../shared/db/schema/academics.ts";
import { queueMail } from "../../shared/mail/outbox.ts";
import type { MailLocale, TemplateParams } from "../../shared/mail/templates.ts";
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

/**
 * Mails an account security event (password changed, a new way to sign in) in `tx`. Always sent: these are how
 * a person learns that someone else is in their account, so there is no preference to turn them off.
 */
export async function mailAccountEvent<K extends "password_changed" | "sign_in_method_added">(
  deps: { env: Pick<CoreEnv, "MAIL_DEFAULT_LOCALE" | "MAIL_MAX_ATTEMPTS"> },
  tx: Db,
  user: { id: string; email: string },
  template: K,
  params: TemplateParams[K],
): Promise<void> {
  await queueMail(tx, {
    to: user.email,
    userId: user.id,
    locale: await mailLocaleOf(tx, deps.env, user.id),
    template,
    params,
    maxAttempts: deps.env.MAIL_MAX_ATTEMPTS,
  });
}
