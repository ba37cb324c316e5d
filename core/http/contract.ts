/**
 * Declares a route's contract once, inside its `createRoute({...})`: `...contract({ access, rateLimit, cache })`
 * gives the route core's own caller check and cache hooks as middleware, and writes the same facts as OpenAPI
 * extension fields, from which `deno task api:generate` builds the edge's tables (`shared/api/manifest.json`).
 */
import type { MiddlewareHandler } from "hono";
import type { ServiceEnv } from "../../shared/http/service_app.ts";
import {
  type Access,
  type Cacheability,
  EXTENSION,
  type RouteRateLimitClass,
} from "../../shared/api/contract.ts";
import { requireCaller } from "../auth/caller.ts";
import { cacheHooks } from "./cache.ts";
import type { CoreVariables } from "../services.ts";

export { ADMINS, SIGNED_IN, STAFF } from "../../shared/api/contract.ts";

type CoreMiddleware = MiddlewareHandler<ServiceEnv<CoreVariables>>;

/** What a route declares about itself beyond its OpenAPI description. */
export interface RouteContract {
  access: Access;
  allowWithoutMfa?: boolean;
  rateLimit?: RouteRateLimitClass;
  cache?: Cacheability;
  /**
   * Where a created resource lives, e.g. `/api/v1/faculties/{id}`: a 201 answer gets it as `Location`, each
   * `{field}` filled from the answer's JSON body.
   */
  created?: string;
  /** Middleware of the route's own, run after the caller check and cache hooks. */
  middleware?: CoreMiddleware[];
}

/** The `createRoute` fields for a contract: middleware and the extension fields the manifest is built from. */
export function contract(declared: RouteContract): {
  middleware: CoreMiddleware[];
  [EXTENSION.access]: Access;
  [EXTENSION.allowWithoutMfa]?: true;
  [EXTENSION.rateLimit]?: RouteRateLimitClass;
  [EXTENSION.cache]?: Cacheability;
  [EXTENSION.created]?: string;
} {
  const { access, allowWithoutMfa, rateLimit, cache } = declared;
  const middleware: CoreMiddleware[] = [];
  if (access === "optional") middleware.push(requireCaller(undefined, { optional: true, allowWithoutMfa }));
  else if (access !== "public") middleware.push(requireCaller([...access], { allowWithoutMfa }));
  if (cache === "public" || cache === "private") middleware.push(cacheHooks(cache));
  if (declared.created) middleware.push(locationOfCreated(declared.created));
  middleware.push(...declared.middleware ?? []);
  return {
    middleware,
    [EXTENSION.access]: access,
    ...(allowWithoutMfa ? { [EXTENSION.allowWithoutMfa]: true as const } : {}),
    ...(rateLimit ? { [EXTENSION.rateLimit]: rateLimit } : {}),
    ...(cache ? { [EXTENSION.cache]: cache } : {}),
    ...(declared.created ? { [EXTENSION.created]: declared.created } : {}),
  };
}

/** Sets `Location` on a 201 answer from the template and the answer's body (public edge URL). */
function locationOfCreated(template: string): CoreMiddleware {
  return async (c, next) => {
    await next();
    if (c.res.status !== 201 || !c.res.headers.get("content-type")?.includes("application/json")) return;
    const body = await c.res.clone().json() as Record<string, unknown>;
    let complete = true;
    const location = template.replace(/\{(\w+)\}/g, (_, field: string) => {
      const value = body[field];
      if (typeof value !== "string") complete = false;
      return encodeURIComponent(String(value));
    });
    if (complete) c.res.headers.set("Location", location);
  };
}
