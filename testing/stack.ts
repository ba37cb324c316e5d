/**
 * A whole edge + core stack in one test process (a harness that spans tiers, so it lives here, above both, and
 * neither tier's own modules import it): the edge reaches the core app in-process (no ports), both share
 * one MemoryKv, and `bearer()` mints real access tokens with the core's signing keys.
 *
 * ```ts
 * const stack = createTestStack(database);
 * const admin = await createTestUser(database, { role: "ADMIN" });
 * const res = await stack.edge.request("/api/v1/users/…/role", {
 *   method: "PATCH", headers: { ...(await stack.bearer(admin)), "content-type": "application/json" }, body: "…",
 * });
 * ```
 */
import { type CoreApp, createCoreApp } from "../core/app.ts";
import { checkResponse } from "../core/testing_contract.ts";
import { type ApiClient, type ApiClientOptions, createApiClient } from "../shared/api/client.ts";
import { signAccessToken } from "../core/auth/tokens.ts";
import { tokenConfig } from "../core/auth/accounts.ts";
import { TEST_ASSERTION_SECRET, testCoreServices } from "../core/auth/testing.ts";
import type { CoreServices } from "../core/services.ts";
import type { Database } from "../shared/db/client.ts";
import { parseEnv } from "../shared/env.ts";
import type { Role } from "../shared/identity.ts";
import type { KvStore } from "../shared/kv/interface.ts";
import { MemoryKv } from "../shared/kv/memory.ts";
import { memoryLogger } from "../shared/logger.ts";
import { createEdgeApp, type EdgeApp } from "../edge/app.ts";
import { edgeEnvSchema } from "../edge/env.ts";
import { buildEdgeServices } from "../edge/main.ts";
import type { EdgeServices } from "../edge/services.ts";

/** Where the in-process core pretends to live. */
export const TEST_CORE_URL = "http://core.test";

/** An edge and a core wired together in-process. */
export interface TestStack {
  edge: EdgeApp;
  core: CoreApp;
  edgeServices: EdgeServices;
  coreServices: CoreServices;
  kv: KvStore;
  /** `Authorization` header with a fresh access token for `user` (admins have passed 2FA unless `mfa: false`). */
  bearer(user: { id: string; role: Role }, options?: { mfa?: boolean }): Promise<{ Authorization: string }>;
  /** The typed API client (`shared/api/client.ts`) talking to this edge in-process. */
  api(options?: Omit<ApiClientOptions, "fetch">): ApiClient;
}

/**
 * Builds the stack; `coreEnv` / `edgeEnv` override configuration, `fetch` replaces the edge's way to core, `kv`
 * the shared store (default: a fresh MemoryKv).
 */
export function createTestStack(
  database: Database,
  options: {
    coreEnv?: Record<string, string>;
    edgeEnv?: Record<string, string>;
    fetch?: typeof fetch;
    kv?: KvStore;
    /** Replaces core services (e.g. the tutor's retrieval in chat tests). */
    coreOverrides?: Partial<CoreServices>;
  } = {},
): TestStack {
  const kv = options.kv ?? new MemoryKv();
  const coreServices = testCoreServices(database, {
    env: options.coreEnv,
    kv,
    overrides: options.coreOverrides,
  });
  const core = createCoreApp(coreServices);
  const fetchCore =
    ((input: RequestInfo | URL, init?: RequestInit) =>
      Promise.resolve(core.fetch(new Request(input, init))).then(async (res) => {
        // Every answer core gives the edge in a test is held against the API contract too.
        const req = new Request(input, init);
        await checkResponse(core, req.method, req.url, res);
        return res;
      })) as typeof fetch;
  const env = parseEnv(edgeEnvSchema, {
    LOG_LEVEL: "error",
    CORE_URL: TEST_CORE_URL,
    EDGE_ASSERTION_SECRET: TEST_ASSERTION_SECRET,
    // The API alone: whether this checkout happens to have a built web app must not change what tests see.
    WEB_APP_ENABLED: "false",
    ...options.edgeEnv,
  });
  const edgeServices = {
    ...buildEdgeServices(env, { kv, fetch: options.fetch ?? fetchCore }),
    logger: memoryLogger("edge"),
  };
  const edge = createEdgeApp(edgeServices);
  return {
    edge,
    core,
    api: (opts = {}) =>
      createApiClient("http://edge.test", { ...opts, fetch: (request) => edge.request(request) }),
    edgeServices,
    coreServices,
    kv,
    async bearer(user, opts = {}) {
      const { token } = await signAccessToken(tokenConfig(coreServices), {
        userId: user.id,
        role: user.role,
        mfa: opts.mfa ?? true,
      });
      return { Authorization: `Bearer ${token}` };
    },
  };
}
