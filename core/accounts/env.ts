import { z } from "zod";
import { envTypes } from "../../shared/env.ts";

/** One institutional OpenID Connect provider (Entra ID, Keycloak, Okta, Shibboleth's OIDC, …). */
export const OidcProviderConfig = z.object({
  /** Short id used in URLs and stored with each linked identity (`[a-z0-9-]`). */
  id: z.string().regex(/^[a-z0-9-]{1,40}$/),
  /** Shown on the sign-in button. */
  name: z.string().min(1),
  /** Must equal the `issuer` of the provider's discovery document and of its ID tokens. */
  issuer: z.url(),
  clientId: z.string().min(1),
  /** Confidential clients authenticate at the token endpoint (client_secret_basic); public clients rely on PKCE. */
  clientSecret: z.string().optional(),
  scopes: z.string().default("openid email profile"),
  /** Treat `email` as verified when the provider sends no `email_verified` (some institutional IdPs never do). */
  trustEmail: z.boolean().default(false),
  /** Claim holding roles/affiliations (string or array) and how values map to a platform role; ADMIN never maps. */
  roleClaim: z.string().optional(),
  roleMap: z.record(z.string(), z.enum(["ACADEMIC", "STUDENT"])).default({}),
  /** Claim holding the faculty; its value (or `facultyMap[value]`) is a faculty code. */
  facultyClaim: z.string().optional(),
  facultyMap: z.record(z.string(), z.string()).default({}),
});
/** A configured OpenID provider. */
export type OidcProviderConfig = z.infer<typeof OidcProviderConfig>;

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
  /** Institutional sign-in: a JSON array of providers (see OidcProviderConfig); empty turns it off. */
  OIDC_PROVIDERS: z.string().default("[]").transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a JSON array of providers" });
      return z.NEVER;
    }
  }).pipe(z.array(OidcProviderConfig)),
  /** Where providers send the browser back (a page of the web app that posts code and state to the callback). */
  OIDC_REDIRECT_URI: z.url().optional(),
  /** Attempts of a `mail.send` job before it is dead. */
  MAIL_MAX_ATTEMPTS: envTypes.int(6, 1),
};
