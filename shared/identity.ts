import { z } from "zod";

/** Platform roles. */
export const Role = z.enum(["ADMIN", "ACADEMIC", "STUDENT"]);
/** One of the platform roles. */
export type Role = z.infer<typeof Role>;

/**
 * Who is calling, as the edge established it from a verified access token and the core re-verifies from the
 * edge's signed assertion. Set on the Hono context as `identity` (edge) and `caller` (core).
 */
export const Identity = z.object({
  userId: z.uuid(),
  role: Role,
  /** The access token's id (for revocation) and expiry (epoch seconds). */
  jti: z.string().optional(),
  exp: z.number().int().optional(),
  /** Whether an admin has passed 2FA for this session. */
  mfa: z.boolean().optional(),
});
/** A verified caller. */
export type Identity = z.infer<typeof Identity>;
