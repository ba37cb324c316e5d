/**
 * The edge's per-email sign-in failure limit, as keys both tiers know: the edge writes them (a block while an
 * email's failures are over the limit, and counts failures under the email's current generation); core's admin
 * "unlock" clears them, so an unlocked account is free at the edge too, not only in core's own throttle. Emails are
 * hashed before they become keys, so the store holds no addresses.
 */
import { sha256Hex } from "../crypto.ts";
import type { KvStore } from "./interface.ts";

/** The email's key part: the first 16 bytes of its SHA-256, in hex (trimmed and lower-cased first). */
export async function emailDigest(email: string): Promise<string> {
  return await sha256Hex(email.trim().toLowerCase(), 16);
}

/** The block key of a failure-limited rule and identifier (`rl:block:<rule>:<id>`). */
export function signInBlockKey(rule: string, id: string): string {
  return `rl:block:${rule}:${id}`;
}

/** The key holding an email's counter generation: an unlock starts a new one, so old failures no longer count. */
export function signInGenerationKey(digest: string): string {
  return `rl:gen:login_email:${digest}`;
}

/** How long a generation is kept: far longer than the per-email window (15 minutes by default). */
const GENERATION_TTL_MS = 24 * 3_600_000;

/** The identifier the edge counts an email's failures under: its digest and current generation. */
export async function signInEmailCounterId(kv: KvStore, digest: string): Promise<string> {
  return `${digest}:${(await kv.get(signInGenerationKey(digest))) ?? "0"}`;
}

/** Clears an email's sign-in limit at the edge: lifts its block and starts a fresh failure count. Throws on KV failure. */
export async function clearSignInEmailLimit(kv: KvStore, email: string): Promise<void> {
  const digest = await emailDigest(email);
  await kv.incr(signInGenerationKey(digest), { ttlMs: GENERATION_TTL_MS });
  await kv.del(signInBlockKey("login_email", digest));
}
