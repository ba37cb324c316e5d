/**
 * Test helpers for anything that calls core routes in-process:
 *
 * ```ts
 * const services = testCoreServices(database);            // small argon2, in-memory keys and KV
 * const app = createCoreApp(services);
 * const teacher = await createTestUser(database, { role: "ACADEMIC" });
 * const res = await app.request("/v1/courses", {
 *   method: "POST",
 *   headers: { ...(await callerHeaders(services, teacher, "POST", "/v1/courses")), "content-type": "application/json" },
 *   body: JSON.stringify({ ... }),
 * });
 * ```
 *
 * `callerHeaders` signs the edge assertion for exactly one method and path (as the edge would). To go through the
 * edge with a real access token, use `createTestStack` from `testing/stack.ts`.
 */
import { turnAdmissionFromEnv } from "../chat/admission.ts";
import { createTutorModel } from "../../shared/tutor/model/mod.ts";
import { noOpenExams } from "../../shared/tutor/exam_lockout/interface.ts";
import { ASSERTION_HEADER, bodyDigest, signAssertion } from "../../shared/assertion.ts";
import type { Database } from "../../shared/db/client.ts";
import { users } from "../../shared/db/schema/users.ts";
import type { Identity, Role } from "../../shared/identity.ts";
import type { KvStore } from "../../shared/kv/interface.ts";
import { MemoryKv } from "../../shared/kv/memory.ts";
import { memoryLogger } from "../../shared/logger.ts";
import { aiMetricsOf } from "../../shared/ai_metrics.ts";
import { createMetrics } from "../../shared/metrics.ts";
import { type CoreEnv, coreEnvSchema } from "../env.ts";
import type { CoreServices } from "../services.ts";
import { createKeyRing } from "./keys.ts";
import { createDocumentServices } from "../../shared/documents/services.ts";
import { createHashEmbedder } from "../../shared/rag/testing/hash_embedder.ts";
import { hashPassword } from "./password.ts";
import { parseEnv } from "../../shared/env.ts";

/** The assertion secret every test app shares in this run. */
export const TEST_ASSERTION_SECRET = `test-${crypto.randomUUID()}-${crypto.randomUUID()}`;

/** Cheap argon2 settings so tests hash in milliseconds. */
const FAST_ARGON2 = { ARGON2_MEMORY_KIB: "64", ARGON2_ITERATIONS: "1", ARGON2_PARALLELISM: "1" };

/** Core configuration for tests: defaults, fast hashing and the test assertion secret, plus `overrides`. */
export function testCoreEnv(overrides: Record<string, string> = {}): CoreEnv {
  return parseEnv(coreEnvSchema, {
    LOG_LEVEL: "error",
    EDGE_ASSERTION_SECRET: TEST_ASSERTION_SECRET,
    DATA_DIR: "memory://",
    ...FAST_ARGON2,
    ...overrides,
  });
}

/** Core services on a test database, with in-memory signing keys and (unless given) a fresh MemoryKv. */
export function testCoreServices(
  database: Database,
  options: { env?: Record<string, string>; kv?: KvStore; overrides?: Partial<CoreServices> } = {},
): CoreServices {
  const env = testCoreEnv(options.env);
  const metrics = createMetrics("core");
  aiMetricsOf(metrics.registry);
  return {
    env,
    database,
    chatDatabase: database,
    logger: memoryLogger("core"),
    metrics,
    kv: options.kv ?? new MemoryKv(),
    keys: createKeyRing({
      rotationMs: env.JWT_KEY_ROTATION_DAYS * 86_400_000,
      tokenTtlMs: env.ACCESS_TOKEN_TTL_SECONDS * 1000,
    }),
    // Documents: a hashed test embedder, so no model loads in tests that never search.
    documents: createDocumentServices(env, database, { embedder: createHashEmbedder() }),
    // Tutor and chat: built lazily, nothing loads until a question is asked.
    tutorModel: createTutorModel(env, { metrics: metrics.registry }),
    chatTurns: turnAdmissionFromEnv(env),
    examLockout: noOpenExams,
    ...options.overrides,
  };
}

/** A user made for a test, with the password it can sign in with. */
export interface TestUser {
  id: string;
  email: string;
  role: Role;
  password: string;
}

/** Inserts a user with a role (default STUDENT), a random email and a known password. */
export async function createTestUser(
  database: Database,
  options: { role?: Role; email?: string; password?: string; displayName?: string } = {},
): Promise<TestUser> {
  const email = options.email ?? `user-${crypto.randomUUID()}@test.example`;
  const password = options.password ?? `pw-${crypto.randomUUID()}`;
  const passwordHash = await hashPassword(password, { memoryKib: 64, iterations: 1, parallelism: 1 });
  const [row] = await database.db.insert(users).values({
    email,
    passwordHash,
    role: options.role ?? "STUDENT",
    displayName: options.displayName ?? null,
  }).returning();
  return { id: row.id, email, role: row.role, password };
}

/**
 * Signs an edge assertion the way the edge does for one request: `target` is the core path with its query string
 * (e.g. `/v1/audit?limit=1`), `body` the exact body that will be sent (none for GET).
 */
export async function testAssertion(
  secret: string,
  request: { identity?: Identity; method: string; target: string; body?: string; clientIp?: string },
): Promise<string> {
  const url = new URL(request.target, "http://core.test");
  return await signAssertion(secret, {
    identity: request.identity,
    method: request.method,
    path: url.pathname,
    query: url.search,
    bodySha256: await bodyDigest(
      request.body === undefined ? undefined : new TextEncoder().encode(request.body),
    ),
    clientIp: request.clientIp ?? "192.0.2.1",
  });
}

/**
 * Headers that let `user` call one core route in-process: a signed edge assertion for `method` and `path` (the
 * core path with its query string, e.g. `/v1/me`) and, when one is sent, the exact `body` (a string, as it will
 * be sent). Admins count as having passed 2FA unless `mfa: false` is given.
 */
export async function callerHeaders(
  services: Pick<CoreServices, "env"> | string,
  user: { id: string; role: Role },
  method: string,
  path: string,
  options: { mfa?: boolean; body?: string } = {},
): Promise<Record<string, string>> {
  const secret = typeof services === "string" ? services : services.env.EDGE_ASSERTION_SECRET;
  if (!secret) throw new Error("callerHeaders() needs EDGE_ASSERTION_SECRET in the core env");
  const token = await testAssertion(secret, {
    identity: {
      userId: user.id,
      role: user.role,
      jti: crypto.randomUUID(),
      exp: Math.floor(Date.now() / 1000) + 900,
      mfa: options.mfa ?? true,
    },
    method,
    target: path,
    body: options.body,
  });
  return { [ASSERTION_HEADER]: token };
}
