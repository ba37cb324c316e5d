import { z } from "zod";
import { envTypes, loadEnvOrExit } from "../shared/env.ts";
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from "../shared/access_token.ts";

/** Configuration of the edge tier; nothing else in edge reads `Deno.env`. */
export const edgeEnvSchema = z.object({
  EDGE_PORT: envTypes.port(8080),
  EDGE_HOSTNAME: z.string().default("0.0.0.0"),
  LOG_LEVEL: envTypes.logLevel(),
  /** Where the core tier listens; the edge forwards `/api/v1/*` there. */
  CORE_URL: z.url().default("http://127.0.0.1:8081"),
  /** Adopt X-Request-ID and X-Forwarded-For from the caller: true only behind a trusted proxy (nginx). */
  TRUST_PROXY: envTypes.bool(false),
  BODY_LIMIT_BYTES: envTypes.int(1_048_576, 1024),
  /** Shared with core: signs the identity assertion sent with every forwarded request. */
  EDGE_ASSERTION_SECRET: z.string().min(32).optional(),
  /** Time allowed for core to start answering a forwarded request. */
  CORE_TIMEOUT_MS: envTypes.int(30_000, 100),
  /** Expected `iss` and `aud` of access tokens (same values as core's). */
  JWT_ISSUER: z.string().default(ACCESS_TOKEN_ISSUER),
  JWT_AUDIENCE: z.string().default(ACCESS_TOKEN_AUDIENCE),
  /** Core's public keys; unset means `${CORE_URL}/.well-known/jwks.json`. */
  JWKS_URL: z.url().optional(),
  /** How long fetched keys are trusted before a refetch (an unknown kid refetches sooner). */
  JWKS_CACHE_SECONDS: envTypes.int(300, 1),
  /** Shortest gap between two JWKS fetches caused by unknown kids (so junk kids cannot flood core). */
  JWKS_COOLDOWN_SECONDS: envTypes.int(10, 0),
  /** Browser origins allowed to call the API (comma-separated); empty allows none cross-origin. */
  CORS_ORIGINS: envTypes.list(),
});

/** Parsed edge configuration. */
export type EdgeEnv = z.infer<typeof edgeEnvSchema>;

/** Reads edge configuration, stopping the process with a message that names any bad variable. */
export function loadEdgeEnv(source?: Record<string, string | undefined>): EdgeEnv {
  return loadEnvOrExit(edgeEnvSchema, source);
}
