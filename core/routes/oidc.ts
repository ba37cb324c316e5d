/** Institutional sign-in (OpenID Connect): list providers, start (redirect URL), finish (code + state → tokens). */
import { createRoute, z } from "@hono/zod-openapi";
import type { CoreApp } from "../services.ts";
import { refreshTokenInBody, tokenResponse, TokenResponseSchema } from "../auth/http.ts";
import { finishOidcSignIn, listOidcProviders, startOidcSignIn } from "../accounts/oidc.ts";
import { contract } from "../http/contract.ts";
import { upstreamErrorResponses } from "./common.ts";

const json = <T extends z.ZodType>(schema: T) => ({
  content: { "application/json": { schema } },
  required: true,
});

const providersRoute = createRoute({
  method: "get",
  path: "/v1/auth/oidc/providers",
  ...contract({ access: "public" }),
  summary: "Institutional sign-in providers configured for this deployment",
  responses: {
    200: {
      description: "Providers",
      content: {
        "application/json": {
          schema: z.object({ items: z.array(z.object({ id: z.string(), name: z.string() })) }),
        },
      },
    },
  },
});

const startRoute = createRoute({
  method: "post",
  path: "/v1/auth/oidc/{provider}/start",
  ...contract({ access: "public", rateLimit: "login" }),
  summary: "Start signing in with a provider: the URL to send the browser to (state, nonce, PKCE)",
  request: { params: z.object({ provider: z.string().max(40) }) },
  responses: {
    200: {
      description: "Where to go",
      content: {
        "application/json": { schema: z.object({ authorizationUrl: z.string(), state: z.string() }) },
      },
    },
    ...upstreamErrorResponses,
  },
});

const callbackRoute = createRoute({
  method: "post",
  path: "/v1/auth/oidc/callback",
  ...contract({ access: "public", rateLimit: "login" }),
  summary: "Finish signing in with the code and state the provider sent back",
  request: {
    body: json(z.object({
      state: z.string().min(20).max(200),
      code: z.string().min(1).max(4096),
      refreshTokenInBody,
    })),
  },
  responses: {
    200: { description: "Signed in", content: { "application/json": { schema: TokenResponseSchema } } },
    ...upstreamErrorResponses,
  },
});

const signInProvidersRoute = createRoute({
  method: "get",
  path: "/v1/auth/providers",
  ...contract({ access: "public", cache: "public" }),
  summary:
    "External sign-in configured for this deployment: Google (its public client id) and OIDC providers",
  responses: {
    200: {
      description: "Configured providers",
      content: {
        "application/json": {
          schema: z.object({
            google: z.object({ clientId: z.string() }).nullable(),
            oidc: z.array(z.object({ id: z.string(), name: z.string() })),
          }),
        },
      },
    },
  },
});

/** `GET /v1/auth/providers`, `GET /v1/auth/oidc/providers`, `POST /v1/auth/oidc/:provider/start`, `POST /v1/auth/oidc/callback`. */
export function registerOidcRoutes(app: CoreApp): void {
  app.openapi(providersRoute, (c) => c.json({ items: listOidcProviders(c.get("services")) }, 200));
  app.openapi(signInProvidersRoute, (c) => {
    const services = c.get("services");
    const clientId = services.env.GOOGLE_CLIENT_ID;
    return c.json({ google: clientId ? { clientId } : null, oidc: listOidcProviders(services) }, 200);
  });
  app.openapi(startRoute, async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(await startOidcSignIn(c.get("services"), c.req.valid("param").provider), 200);
  });
  app.openapi(callbackRoute, async (c) => {
    const input = c.req.valid("json");
    const { user, tokens } = await finishOidcSignIn(c.get("services"), input);
    return c.json(tokenResponse(c, tokens, { inBody: input.refreshTokenInBody, user }), 200);
  });
}
