/**
 * The typed client of the public API, for the web app and the end-to-end tests: paths, parameters, bodies and
 * answers come from `schema.d.ts`, generated from the OpenAPI document (`deno task api:generate`), so a change of
 * the API that breaks a caller breaks its type check.
 *
 * ```ts
 * const api = createApiClient("http://localhost:8080", { token });
 * const { data, error } = await api.GET("/api/v1/courses/{id}", { params: { path: { id } } });
 * ```
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, operations, paths } from "./schema.d.ts";

export type { components, operations, paths };

/** The client type: `GET`, `POST`, `PUT`, `PATCH`, `DELETE` over the `/api/v1/...` paths. */
export type ApiClient = Client<paths>;

/** A schema of the public API by name, e.g. `ApiSchema<"Course">`. */
export type ApiSchema<Name extends keyof components["schemas"]> = components["schemas"][Name];

/** Options of `createApiClient`. */
export interface ApiClientOptions {
  /** Access token sent as `Authorization: Bearer …`. */
  token?: string;
  /** Sends a request (tests: an app's `request`; cookies, instrumentation); the global `fetch` by default. */
  fetch?: (request: Request) => Response | Promise<Response>;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
}

/** A typed client of the API at `baseUrl` (the edge's origin, e.g. `http://localhost:8080`). */
export function createApiClient(baseUrl: string, options: ApiClientOptions = {}): ApiClient {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const base = options.fetch;
  return createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ""),
    headers,
    // Bound late so a fetch replaced after the client was made (tests) is still the one used.
    fetch: async (request: Request) => await (base ?? globalThis.fetch)(request),
  });
}
