import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Database } from "../shared/db/client.ts";
import type { ServiceEnv } from "../shared/http/service_app.ts";
import type { DocumentServices } from "../shared/documents/services.ts";
import type { Identity } from "../shared/identity.ts";
import type { KvStore } from "../shared/kv/interface.ts";
import type { Logger } from "../shared/logger.ts";
import type { ServiceMetrics } from "../shared/metrics.ts";
import type { KeyRing } from "./auth/keys.ts";
import type { CoreEnv } from "./env.ts";
import type { TutorModel } from "../shared/tutor/model/interface.ts";
import type { TurnAdmission } from "./chat/admission.ts";
import type { ExamLockout } from "../shared/tutor/exam_lockout/interface.ts";

/** Everything core's handlers use, built once at start and put on the Hono context. */
export interface CoreServices {
  env: CoreEnv;
  database: Database;
  /**
   * The database chat turns do their work on: a pool of its own (`DATABASE_CHAT_POOL_MAX`) on Postgres, so a plain
   * request never waits behind turns for a connection; `database` itself when there is none.
   */
  chatDatabase: Database;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Shared with the edge: access-token revocations and login-failure counters. */
  kv: KvStore;
  /** Access-token signing keys (published at `/.well-known/jwks.json`). */
  keys: KeyRing;
  // Tutor and chat.
  /** Answers tutor questions and writes summaries (offline extractive or OpenAI-compatible). */
  tutorModel: TutorModel;
  /** How many chat turns this process runs and queues (admission.ts). */
  chatTurns: TurnAdmission;
  /** Which exams are open, so the tutor refuses their content; the exams feature plugs in its own. */
  examLockout: ExamLockout;
  /** Documents and retrieval: storage, embedder, vector store (lazy: nothing loads before first use). */
  documents: DocumentServices;
}

/** Hono context variables of the core tier. */
export interface CoreVariables {
  services: CoreServices;
  /** The verified caller, set by the edge-assertion check when a signed-in caller's assertion came with the request. */
  caller?: Identity;
  /** The client's address: from the edge's verified assertion, else the TCP peer's (never `X-Forwarded-For`). */
  clientIp?: string;
}

/** The core tier's Hono app type: route modules register on it (built by `createCoreApp` in app.ts). */
export type CoreApp = OpenAPIHono<ServiceEnv<CoreVariables>>;
