import { z } from "zod";
import { envTypes } from "../../shared/env.ts";

/** Core's settings for account mail, verification, reset, invitations and data rights (part of core's env). */
export const accountsEnv = {
  /** Where people open links from mail (the web app); links are `${PUBLIC_WEB_URL}/reset-password?token=…`. */
  PUBLIC_WEB_URL: z.url().transform((u) => u.replace(/\/+$/, "")).default("http://localhost:8080"),
  /** `required`: password accounts cannot sign in before confirming their email; `optional`: they can. */
  EMAIL_VERIFICATION: z.enum(["required", "optional"]).default("optional"),
  /** Language of mail to people without a profile language. */
  MAIL_DEFAULT_LOCALE: z.enum(["en", "ar"]).default("en"),
  PASSWORD_RESET_TTL_MINUTES: envTypes.int(30, 5),
  EMAIL_VERIFICATION_TTL_HOURS: envTypes.int(48, 1),
  INVITATION_TTL_DAYS: envTypes.int(14, 1),
  /** Mail that one address may be sent through public endpoints (reset, verification, invitations) per window. */
  MAIL_LIMIT_PER_EMAIL: envTypes.int(3, 1),
  /** Mail-sending requests one client IP (or inviting user) may make per window. */
  MAIL_LIMIT_PER_IP: envTypes.int(20, 1),
  MAIL_LIMIT_WINDOW_SECONDS: envTypes.int(3600, 1),
  /** Invitations one staff member may send per window (roster imports send many at once). */
  MAIL_LIMIT_INVITATIONS_PER_USER: envTypes.int(2000, 1),
  /** Attempts of a `mail.send` job before it is dead. */
  MAIL_MAX_ATTEMPTS: envTypes.int(6, 1),
};
