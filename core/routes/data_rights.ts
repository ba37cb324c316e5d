/** Data rights: download one's data (or, for admins, anyone's) as a zip; admins erase accounts. */
import { createRoute, z } from "@hono/zod-openapi";
import type { CoreApp } from "../services.ts";
import { callerOf } from "../auth/caller.ts";
import { ADMINS, contract, SIGNED_IN } from "../http/contract.ts";
import { eraseUser, exportUserData } from "../accounts/data_rights.ts";

const zip = { description: "A zip of JSON files", content: { "application/zip": { schema: z.any() } } };
const IdParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });

const exportMine = createRoute({
  method: "get",
  path: "/v1/me/export",
  summary: "Download everything the platform holds about you, as one zip",
  ...contract({ access: SIGNED_IN }),
  responses: { 200: zip },
});

const exportUser = createRoute({
  method: "get",
  path: "/v1/users/{id}/export",
  summary: "Download a person's data (admins; audited)",
  ...contract({ access: ADMINS }),
  request: { params: IdParam },
  responses: { 200: zip },
});

const erase = createRoute({
  method: "post",
  path: "/v1/users/{id}/erase",
  summary:
    "Erase an account: personal data removed or pseudonymised, academic records kept (admins; audited)",
  ...contract({ access: ADMINS }),
  request: { params: IdParam },
  responses: {
    200: {
      description: "Erased",
      content: { "application/json": { schema: z.object({ erasedAt: z.string() }) } },
    },
  },
});

function zipResponse(bytes: Uint8Array, userId: string): Response {
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: {
      "content-type": "application/zip",
      "content-disposition": `attachment; filename="ai-teacher-data-${userId}.zip"`,
      "cache-control": "no-store",
    },
  });
}

/** `GET /v1/me/export`, `GET /v1/users/:id/export`, `POST /v1/users/:id/erase`. */
export function registerDataRightsRoutes(app: CoreApp): void {
  app.openapi(exportMine, async (c) => {
    const caller = callerOf(c);
    const bytes = await exportUserData(c.get("services"), { userId: caller.userId, actorId: caller.userId });
    // deno-lint-ignore no-explicit-any
    return zipResponse(bytes, caller.userId) as any;
  });
  app.openapi(exportUser, async (c) => {
    const { id } = c.req.valid("param");
    const bytes = await exportUserData(c.get("services"), { userId: id, actorId: callerOf(c).userId });
    // deno-lint-ignore no-explicit-any
    return zipResponse(bytes, id) as any;
  });
  app.openapi(erase, async (c) => {
    const { id } = c.req.valid("param");
    const { erasedAt } = await eraseUser(c.get("services"), { userId: id, actorId: callerOf(c).userId });
    return c.json({ erasedAt: erasedAt.toISOString() }, 200);
  });
}
