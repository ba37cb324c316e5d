import { Secret, TOTP } from "otpauth";

const PERIOD = 30;

/** A new random TOTP secret (160 bits, base32) and its `otpauth://` URI for authenticator apps. */
export function newTotpSecret(issuer: string, label: string): { secret: string; uri: string } {
  const secret = new Secret({ size: 20 });
  const totp = new TOTP({ issuer, label, algorithm: "SHA1", digits: 6, period: PERIOD, secret });
  return { secret: secret.base32, uri: totp.toString() };
}

/**
 * Checks a 6-digit code (RFC 6238, ±1 step of clock drift). Returns the accepted time step, or null. A step not
 * after `lastStep` is refused, so an observed code cannot be replayed.
 */
export function checkTotp(
  secret: string,
  code: string,
  lastStep: number | null,
  now = Date.now(),
): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const totp = new TOTP({ algorithm: "SHA1", digits: 6, period: PERIOD, secret: Secret.fromBase32(secret) });
  const delta = totp.validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  const step = Math.floor(now / 1000 / PERIOD) + delta;
  if (lastStep !== null && step <= lastStep) return null;
  return step;
}

/** The current code for a secret (tests and `deno task` helpers). */
export function totpCodeFor(secret: string, now = Date.now()): string {
  return new TOTP({ algorithm: "SHA1", digits: 6, period: PERIOD, secret: Secret.fromBase32(secret) })
    .generate({ timestamp: now });
}
