/** `GET|PUT /v1/me/notification-preferences`: which notification kinds the caller also gets by mail. */
import { createRoute, z } from "@hono/zod-openapi";
import type { CoreApp } from "../services.ts";
import { callerOf } from "../auth/caller.ts";
import { contract, SIGNED_IN } from "../http/contract.ts";
import {
  listMailPreferences,
  MAIL_NOTIFICATION_DEFAULTS,
  type MailNotificationKind,
  setMailPreference,
} from "../../shared/notifications/preferences.ts";

const Preferences = z.object({
  items: z.array(z.object({ kind: z.string(), email: z.boolean(), default: z.boolean() })),
}).openapi("NotificationPreferences");
const kinds = Object.keys(MAIL_NOTIFICATION_DEFAULTS) as [MailNotificationKind, ...MailNotificationKind[]];

const getRoute = createRoute({
  method: "get",
  path: "/v1/me/notification-preferences",
  summary: "The caller's mail choice per notification kind (account security mail is always sent)",
  ...contract({ access: SIGNED_IN }),
  responses: { 200: { description: "Choices", content: { "application/json": { schema: Preferences } } } },
});

const putRoute = createRoute({
  method: "put",
  path: "/v1/me/notification-preferences",
  summary: "Turn mail for one notification kind on or off",
  ...contract({ access: SIGNED_IN }),
  request: {
    body: {
      content: { "application/json": { schema: z.object({ kind: z.enum(kinds), email: z.boolean() }) } },
      required: true,
    },
  },
  responses: { 200: { description: "Choices", content: { "application/json": { schema: Preferences } } } },
});

/** Registers the notification preference routes. */
export function registerNotificationPreferenceRoutes(app: CoreApp): void {
  app.openapi(getRoute, async (c) => {
    const db = c.get("services").database.db;
    return c.json({ items: await listMailPreferences(db, callerOf(c).userId) }, 200);
  });
  app.openapi(putRoute, async (c) => {
    const db = c.get("services").database.db;
    const { kind, email } = c.req.valid("json");
    const userId = callerOf(c).userId;
    await setMailPreference(db, userId, kind, email);
    return c.json({ items: await listMailPreferences(db, userId) }, 200);
  });
}
