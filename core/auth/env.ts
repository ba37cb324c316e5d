import { z } from "zod";
import { envTypes } from "../../shared/env.ts";
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from "../../shared/access_token.ts";

/** Core's identity settings (part of the one core env schema). Defaults follow OWASP's argon2id minimum. */
export const authEnv = {
  /** argon2id memory in KiB, passes and lanes. Tests lower these to stay fast. */
  ARGON2_MEMORY_KIB: envTypes.int(19_456, 8),
  ARGON2_ITERATIONS: envTypes.int(2, 1),
  ARGON2_PARALLELISM: envTypes.int(1, 1),
  PASSWORD_MIN_LENGTH: envTypes.int(10, 8),
  /** `iss` and `aud` of access tokens; the edge must be configured with the same values. */
  JWT_ISSUER: z.string().default(ACCESS_TOKEN_ISSUER),
  JWT_AUDIENCE: z.string().default(ACCESS_TOKEN_AUDIENCE),
  ACCESS_TOKEN_TTL_SECONDS: envTypes.int(900, 30),
  REFRESH_TOKEN_TTL_SECONDS: envTypes.int(7 * 24 * 3600, 60),
  /**
   * Production signing keys: a JSON array of private Ed25519 JWKs, each with a `kid`. The first signs; the rest are
   * published for verification only (keep a replaced key listed until its tokens have expired). Unset: a key pair
   * is generated once and kept under DATA_DIR/keys, and rotated every JWT_KEY_ROTATION_DAYS.
   */
  JWT_SIGNING_KEYS: z.string().optional(),
  JWT_KEY_ROTATION_DAYS: envTypes.int(30, 1),
  /** Path of the refresh-token cookie as the browser sees it (through the edge). */
  REFRESH_COOKIE_PATH: z.string().default("/api/v1/auth"),
  /**
   * Sign-in throttle (failures only; docs/identity.md): failures of one account before each further attempt must
   * wait 1 s, 2 s, 4 s, … up to LOGIN_MAX_DELAY_SECONDS after the last failure (devices that signed in to the
   * account before are exempt); failures from one client IP per window before it is refused (high: a campus NAT).
   */
  LOGIN_MAX_FAILURES_PER_EMAIL: envTypes.int(5, 1),
  LOGIN_MAX_DELAY_SECONDS: envTypes.int(300, 1),
  LOGIN_MAX_FAILURES_PER_IP: envTypes.int(1000, 1),
  LOGIN_THROTTLE_WINDOW_SECONDS: envTypes.int(900, 1),
  /** Google sign-in: the OAuth client id tokens must be issued for; unset disables `POST /v1/auth/google`. */
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_JWKS_URL: z.url().default("https://www.googleapis.com/oauth2/v3/certs"),
  /** Issuer name shown in authenticator apps. */
  TOTP_ISSUER: z.string().default("AI Teacher"),
};
