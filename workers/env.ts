import { z } from "zod";
import { databaseEnv } from "../shared/db/env.ts";
import { envTypes, loadEnvOrExit } from "../shared/env.ts";
import { ragEnv } from "../shared/rag/env.ts";

/** Configuration of the workers tier; nothing else in workers reads `Deno.env`. */
export const workersEnvSchema = z.object({
  WORKERS_PORT: envTypes.port(8082),
  WORKERS_HOSTNAME: z.string().default("0.0.0.0"),
  LOG_LEVEL: envTypes.logLevel(),
  TRUST_REQUEST_ID: envTypes.bool(true),
  BODY_LIMIT_BYTES: envTypes.int(1_048_576, 1024),
  ...databaseEnv,
  /** Embeddings and vector store; core (search) and workers (ingestion) must agree. */
  ...ragEnv,
});

/** Parsed workers configuration. */
export type WorkersEnv = z.infer<typeof workersEnvSchema>;

/** Reads workers configuration, stopping the process with a message that names any bad variable. */
export function loadWorkersEnv(source?: Record<string, string | undefined>): WorkersEnv {
  return loadEnvOrExit(workersEnvSchema, source);
}
