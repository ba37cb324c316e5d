import { createRoute, z } from "@hono/zod-openapi";
import type { CoreApp } from "../services.ts";

const jwksRoute = createRoute({
  method: "get",
  path: "/.well-known/jwks.json",
  summary: "Public keys that verify access tokens (the edge fetches and caches these)",
  responses: {
    200: {
      description: "JSON Web Key Set",
      content: {
        "application/json": { schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) },
      },
    },
  },
});

/** `GET /.well-known/jwks.json`. */
export function registerJwksRoutes(app: CoreApp): void {
  app.openapi(jwksRoute, async (c) => {
    const jwks = await c.get("services").keys.jwks();
    // Short cache: a rotated key must reach verifiers well within an access token's lifetime.
    c.header("Cache-Control", "public, max-age=300");
    return c.json(jwks as { keys: Record<string, unknown>[] }, 200);
  });
}
