import { z } from "zod";
import { databaseEnv } from "../shared/db/env.ts";
import { envTypes, loadEnvOrExit } from "../shared/env.ts";
import { tutorEnv } from "../shared/tutor/env.ts";
import { authEnv } from "./auth/env.ts";
import { kvEnvFields } from "../shared/kv/mod.ts";
import { ragEnv } from "../shared/rag/env.ts";
import { chatEnv } from "./chat/env.ts";
import { documentsEnv } from "../shared/documents/env.ts";
import { accountsEnv } from "./accounts/env.ts";

/** Configuration of the core tier; nothing else in core reads `Deno.env`. */
export const coreEnvSchema = z.object({
  CORE_PORT: envTypes.port(8081),
  /** Loopback unless set: only the edge (and QStash, for workers) should reach this tier; containers set 0.0.0.0. */
  CORE_HOSTNAME: z.string().default("127.0.0.1"),
  LOG_LEVEL: envTypes.logLevel(),
  /** Adopt X-Request-ID from callers; core sits behind the edge, which sets it. */
  TRUST_REQUEST_ID: envTypes.bool(true),
  BODY_LIMIT_BYTES: envTypes.int(1_048_576, 1024),
  /** Shared with the edge: verifies the edge's identity assertions. Unset, protected routes refuse everyone. */
  EDGE_ASSERTION_SECRET: z.string().min(32).optional(),
  /** The workers' internal address, for the admin's health page (core asks their `/readyz`); unset: not checked. */
  WORKERS_URL: z.url().optional(),
  ...databaseEnv,
  ...tutorEnv,
  ...authEnv,
  ...kvEnvFields,
  /** Embeddings and vector store; core (search) and workers (ingestion) must agree. */
  ...ragEnv,
  /** Chat quotas (core/chat/env.ts). */
  ...chatEnv,
  /** Document storage (local disk or S3) and chunking; workers read the same variables. */
  ...documentsEnv,
  /** Account mail, verification, reset, invitations, institutional sign-in (core/accounts/env.ts). */
  ...accountsEnv,
});

/** Parsed core configuration. */
export type CoreEnv = z.infer<typeof coreEnvSchema>;

/** Reads core configuration, stopping the process with a message that names any bad variable. */
export function loadCoreEnv(source?: Record<string, string | undefined>): CoreEnv {
  return loadEnvOrExit(coreEnvSchema, source);
}
