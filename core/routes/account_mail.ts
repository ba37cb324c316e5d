/** Account routes that work by mail: password reset, email verification, accepting an invitation. All public. */
import { createRoute, z } from "@hono/zod-openapi";
import type { CoreApp } from "../services.ts";
import { tokenConfig } from "../auth/accounts.ts";
import {
  clientIpOf,
  refreshTokenInBody,
  tokenResponse,
  TokenResponseSchema,
  UserSchema,
} from "../auth/http.ts";
import { issueTokenPair } from "../auth/tokens.ts";
import { publicUser } from "../auth/accounts.ts";
import { requestPasswordReset, resetPassword } from "../accounts/password_reset.ts";
import { resendVerification, verifyEmail } from "../accounts/verification.ts";
import { acceptInvitation } from "../accounts/invitations.ts";
import { contract } from "../http/contract.ts";
import { upstreamErrorResponses } from "./common.ts";

const json = <T extends z.ZodType>(schema: T) => ({
  content: { "application/json": { schema } },
  required: true,
});
const unavailable = upstreamErrorResponses[503];
const email = z.string().trim().min(3).max(254).pipe(z.email());
const token = z.string().min(20).max(200);
const Accepted = z.object({ status: z.literal("accepted"), message: z.string() }).openapi("MailAccepted");
// Mail limits live in the KV store: when it is down, mail is refused with 503 rather than sent unlimited.
const accepted = (description: string) => ({
  202: { description, content: { "application/json": { schema: Accepted } } },
  503: unavailable,
});

const resetRequestRoute = createRoute({
  method: "post",
  path: "/v1/auth/password-reset",
  ...contract({ access: "public", rateLimit: "mail" }),
  summary: "Mail a password-reset link (same answer whether or not the address has an account)",
  request: { body: json(z.object({ email })) },
  responses: accepted("If the address has an account, a link is on its way"),
});

const resetConfirmRoute = createRoute({
  method: "post",
  path: "/v1/auth/password-reset/confirm",
  ...contract({ access: "public", rateLimit: "login" }),
  summary: "Set a new password with a reset link; every session of the account is signed out",
  request: { body: json(z.object({ token, newPassword: z.string().min(1).max(256) })) },
  responses: { 204: { description: "Password changed; sign in with it" }, 503: unavailable },
});

const verifyRoute = createRoute({
  method: "post",
  path: "/v1/auth/verify-email",
  ...contract({ access: "public", rateLimit: "login" }),
  summary: "Confirm an email address with its link; invitations waiting for it are applied",
  request: { body: json(z.object({ token })) },
  responses: {
    200: {
      description: "Verified",
      content: {
        "application/json": {
          schema: z.object({ user: UserSchema, enrolledCourseIds: z.array(z.uuid()) }),
        },
      },
    },
    503: unavailable,
  },
});

const resendRoute = createRoute({
  method: "post",
  path: "/v1/auth/verify-email/resend",
  ...contract({ access: "public", rateLimit: "mail" }),
  summary: "Mail a new verification link to an unverified account (same answer for any address)",
  request: { body: json(z.object({ email })) },
  responses: accepted("If the address has an unverified account, a link is on its way"),
});

const acceptRoute = createRoute({
  method: "post",
  path: "/v1/auth/invitations/accept",
  ...contract({ access: "public", rateLimit: "login" }),
  summary: "Accept an invitation: creates the account (enrolled) or enrols the existing one",
  request: {
    body: json(z.object({
      token,
      password: z.string().min(1).max(256).optional(),
      displayName: z.string().trim().min(1).max(100).optional(),
      refreshTokenInBody,
    })),
  },
  responses: {
    200: {
      description: "Accepted; `session` when the person is now signed in",
      content: {
        "application/json": {
          schema: z.object({
            account: z.enum(["created", "reclaimed", "existing"]),
            enrolledCourseIds: z.array(z.uuid()),
            user: UserSchema,
            session: TokenResponseSchema.optional(),
          }),
        },
      },
    },
    503: unavailable,
  },
});

/** `POST /v1/auth/password-reset[/confirm]`, `/v1/auth/verify-email[/resend]`, `/v1/auth/invitations/accept`. */
export function registerAccountMailRoutes(app: CoreApp): void {
  app.openapi(resetRequestRoute, async (c) => {
    await requestPasswordReset(c.get("services"), { email: c.req.valid("json").email, ip: clientIpOf(c) });
    return c.json({
      status: "accepted" as const,
      message: "If the address has an account, a link is on its way",
    }, 202);
  });

  app.openapi(resetConfirmRoute, async (c) => {
    await resetPassword(c.get("services"), c.req.valid("json"));
    return c.body(null, 204);
  });

  app.openapi(verifyRoute, async (c) => {
    const { user, enrolledCourseIds } = await verifyEmail(c.get("services"), c.req.valid("json").token);
    return c.json({ user: publicUser(user), enrolledCourseIds }, 200);
  });

  app.openapi(resendRoute, async (c) => {
    await resendVerification(c.get("services"), { email: c.req.valid("json").email, ip: clientIpOf(c) });
    return c.json({
      status: "accepted" as const,
      message: "If the address needs verifying, a link is on its way",
    }, 202);
  });

  app.openapi(acceptRoute, async (c) => {
    const input = c.req.valid("json");
    const services = c.get("services");
    const outcome = await acceptInvitation(services, input);
    const session = outcome.account === "existing" ? undefined : tokenResponse(
      c,
      await issueTokenPair(services.database.db, tokenConfig(services), {
        userId: outcome.user.id,
        role: outcome.user.role,
        mfa: false,
      }),
      { inBody: input.refreshTokenInBody },
    );
    return c.json({
      account: outcome.account,
      enrolledCourseIds: outcome.enrolledCourseIds,
      user: publicUser(outcome.user),
      ...(session ? { session } : {}),
    }, 200);
  });
}
