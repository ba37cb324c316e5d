/**
 * Test helpers for core routes: a core app on a given database with an edge-assertion secret, callers that sign
 * requests the way the edge does, and users created directly in the database (no identity flow needed).
 */
import { testAssertion } from "./auth/testing.ts";
import type { Database } from "../shared/db/client.ts";
import { userProfiles } from "../shared/db/schema/academics.ts";
import { users } from "../shared/db/schema/users.ts";
import type { Role } from "../shared/identity.ts";
import { memoryLogger } from "../shared/logger.ts";
import { type CoreApp, createCoreApp } from "./app.ts";
import { withContractCheck } from "./testing_contract.ts";
import { coreEnvSchema } from "./env.ts";
import { buildCoreServices } from "./main.ts";
import type { CoreServices } from "./services.ts";

/** A user made for a test. */
export interface TestUser {
  id: string;
  email: string;
  role: Role;
}

/** Sends requests to the app as one caller (or anonymously). */
export interface TestClient {
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
    /** Aborts the request as a client going away would. */
    signal?: AbortSignal,
  ): Promise<Response>;
}

/** A core app for tests and ways to call it. */
export interface TestCore {
  app: CoreApp;
  services: CoreServices;
  /** Calls as `user`, with an assertion signed for the exact method and path, as the edge would. */
  asUser(user: Pick<TestUser, "id" | "role">): TestClient;
  /** Calls without any assertion. */
  anonymous: TestClient;
}

/** The edge-assertion secret test cores share. */
export const TEST_ASSERTION_SECRET = "test-edge-assertion-secret-0123456789";

/** Builds core on `database` with a known assertion secret and an in-memory logger. */
export function createTestCore(
  database: Database,
  env: Record<string, string> = {},
  overrides: Partial<CoreServices> = {},
): TestCore {
  const parsed = coreEnvSchema.parse({ EDGE_ASSERTION_SECRET: TEST_ASSERTION_SECRET, ...env });
  const services = { ...buildCoreServices(parsed, database), logger: memoryLogger("core"), ...overrides };
  const app = withContractCheck(createCoreApp(services));
  const send = async (
    identity: { userId: string; role: Role } | null,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ) => {
    const all: Record<string, string> = { ...headers };
    let payload: string | undefined;
    if (typeof body === "string") payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      all["content-type"] ??= "application/json";
    }
    if (identity) {
      all["x-edge-assertion"] = await testAssertion(TEST_ASSERTION_SECRET, {
        identity,
        method,
        target: path,
        body: payload,
      });
    }
    return await app.request(path, { method, headers: all, body: payload, signal });
  };
  return {
    app,
    services,
    asUser: (user) => ({
      request: (m, p, b, h, signal) => send({ userId: user.id, role: user.role }, m, p, b, h, signal),
    }),
    anonymous: { request: (m, p, b, h, signal) => send(null, m, p, b, h, signal) },
  };
}

/** Creates several live users (with profiles where a faculty is given) in two statements. */
export async function createTestUsers(
  database: Database,
  specs: { role: Role; facultyId?: string }[],
): Promise<TestUser[]> {
  const rows = await database.db.insert(users).values(
    specs.map((s) => ({
      email: `${s.role.toLowerCase()}-${crypto.randomUUID()}@test.example`,
      role: s.role,
    })),
  ).returning();
  const profiles = specs.flatMap((s, i) =>
    s.facultyId ? [{ userId: rows[i].id, facultyId: s.facultyId }] : []
  );
  if (profiles.length > 0) await database.db.insert(userProfiles).values(profiles);
  return rows.map((r) => ({ id: r.id, email: r.email, role: r.role }));
}

/** Creates a live user (and, with `facultyId`, a profile naming that faculty) with a random email. */
export async function createTestUser(
  database: Database,
  role: Role,
  options: { facultyId?: string; email?: string } = {},
): Promise<TestUser> {
  const email = options.email ?? `${role.toLowerCase()}-${crypto.randomUUID()}@test.example`;
  const [row] = await database.db.insert(users).values({ email, role }).returning();
  if (options.facultyId) {
    await database.db.insert(userProfiles).values({ userId: row.id, facultyId: options.facultyId });
  }
  return { id: row.id, email: row.email, role: row.role };
}
