/**
 * The contract check of the route tests: every response core gives in a test is held against what the public
 * OpenAPI document (`shared/api/openapi.json`) says that route answers — its status must be documented, a JSON
 * body must parse with the route's zod response schema (the one the document was generated from), an error body
 * must have the one error shape. A mismatch fails the test that made the call, naming route, status and problem.
 */
import { z } from "@hono/zod-openapi";
import publicDocument from "../shared/api/openapi.json" with { type: "json" };
import { type CoreApp, createCoreApp } from "./app.ts";
import type { CoreServices } from "./services.ts";

const ErrorShape = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
    details: z.unknown().optional(),
  }),
});

interface CheckedRoute {
  method: string;
  pattern: RegExp;
  publicPath: string;
  schemas: Record<string, z.ZodType | undefined>;
}

// deno-lint-ignore no-explicit-any
const documentPaths = (publicDocument as any).paths as Record<string, Record<string, { responses: object }>>;
const checkedRoutes = new WeakMap<CoreApp, CheckedRoute[]>();

function routesOf(app: CoreApp): CheckedRoute[] {
  let routes = checkedRoutes.get(app);
  if (routes) return routes;
  routes = [];
  for (const def of app.openAPIRegistry.definitions) {
    if (def.type !== "route" || !def.route.path.startsWith("/v1/")) continue;
    const { method, path, responses } = def.route;
    const schemas: Record<string, z.ZodType | undefined> = {};
    for (const [status, response] of Object.entries(responses ?? {})) {
      // deno-lint-ignore no-explicit-any
      schemas[status] = (response as any)?.content?.["application/json"]?.schema as z.ZodType | undefined;
    }
    const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}/?$`);
    routes.push({ method: method.toUpperCase(), pattern, publicPath: `/api${path}`, schemas });
  }
  // Literal paths before templated ones (`/v1/me/courses` before `/v1/me/{x}`-like patterns).
  routes.sort((a, b) => (a.publicPath.match(/\{/g)?.length ?? 0) - (b.publicPath.match(/\{/g)?.length ?? 0));
  checkedRoutes.set(app, routes);
  return routes;
}

/** Checks one response against the contract; throws an Error saying what does not match. */
export async function checkResponse(
  app: CoreApp,
  method: string,
  path: string,
  res: Response,
): Promise<void> {
  const pathname = new URL(path, "http://core.test").pathname;
  const m = method === "HEAD" ? "GET" : method.toUpperCase();
  const route = routesOf(app).find((r) => r.method === m && r.pattern.test(pathname));
  if (!route || res.status === 304) return;
  const where = `${m} ${pathname} (${route.publicPath})`;
  const documented = documentPaths[route.publicPath]?.[m.toLowerCase()]?.responses ?? {};
  if (!(String(res.status) in documented)) {
    throw new Error(
      `[contract] ${where} answered ${res.status}, which the OpenAPI document does not list ` +
        `(${Object.keys(documented).join(", ")}): declare it on the route and run \`deno task api:generate\``,
    );
  }
  const type = res.headers.get("content-type") ?? "";
  if (!type.includes("application/json") || m === "HEAD") return;
  const body = await res.clone().json();
  const schema = res.status >= 400 ? ErrorShape : route.schemas[String(res.status)];
  if (!schema) return;
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new Error(
      `[contract] ${where} answered ${res.status} with a body that does not match its documented schema: ` +
        parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join(
          "; ",
        ),
    );
  }
}

/** Makes `app.request` check every response against the contract (route tests use apps made this way). */
export function withContractCheck(app: CoreApp): CoreApp {
  const request = app.request.bind(app);
  app.request = (async (input: string | Request | URL, init?: RequestInit, ...rest: unknown[]) => {
    // deno-lint-ignore no-explicit-any
    const res = await (request as any)(input, init, ...rest);
    // A request whose client went away is answered to nobody (core's 499): no contract applies.
    const signal = input instanceof Request ? input.signal : init?.signal;
    if (signal?.aborted && res.status === 499) return res;
    const url = input instanceof Request ? input.url : String(input);
    const method = input instanceof Request ? input.method : init?.method ?? "GET";
    await checkResponse(app, method, url, res);
    return res;
  }) as typeof app.request;
  return app;
}

/** `createCoreApp` for tests: the same app, with every response checked against the contract. */
export function createCheckedCoreApp(services: CoreServices): CoreApp {
  return withContractCheck(createCoreApp(services));
}
