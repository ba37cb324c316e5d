/**
 * INTERIM typed API client (web-app branch): generated from core's OpenAPI document with `/v1` rewritten to the
 * public `/api/v1`, until the API-contract work replaces `shared/api/` with its own generated version. Same surface:
 * `createApiClient(baseUrl, { token?, fetch? })`, calls like `client.GET("/api/v1/me")`.
 */
import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./schema.d.ts";

export type { paths } from "./schema.d.ts";
export type { components } from "./schema.d.ts";

/** The typed client over the public API. */
export type ApiClient = Client<paths>;

/** Options of `createApiClient`: a bearer token (or a function giving the current one) and a fetch to use. */
export interface ApiClientOptions {
  token?: string | (() => string | undefined);
  fetch?: typeof globalThis.fetch;
}

/** Creates a typed client for the API at `baseUrl` (the edge's origin; paths carry `/api/v1`). */
export function createApiClient(baseUrl: string, options: ApiClientOptions = {}): ApiClient {
  const client = createClient<paths>({
    baseUrl,
    fetch: options.fetch ? (req: Request) => options.fetch!(req) : undefined,
    credentials: "same-origin",
  });
  const token = options.token;
  if (token) {
    client.use({
      onRequest({ request }) {
        const value = typeof token === "function" ? token() : token;
        if (value && !request.headers.has("authorization")) {
          request.headers.set("authorization", `Bearer ${value}`);
        }
        return request;
      },
    });
  }
  return client;
}
