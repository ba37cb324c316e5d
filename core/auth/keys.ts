/**
 * The core's access-token signing keys. Ed25519 key pairs, each with a `kid`; the newest signs, older ones stay in
 * the published JWKS until every token they signed has expired. Production passes keys in JWT_SIGNING_KEYS; embedded
 * mode generates a pair once, keeps it in DATA_DIR/keys and rotates it on a schedule.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { ACCESS_TOKEN_ALG } from "../../shared/access_token.ts";

interface StoredKey {
  kid: string;
  /** Private JWK (includes the public part). */
  jwk: JWK;
  createdAt: number;
  /** When a newer key replaced it; it is dropped once `retiredAt + tokenTtl` has passed. */
  retiredAt?: number;
}

/** Where keys come from and how long they live. */
export interface KeyRingOptions {
  /** JSON array of private JWKs (production); when set, nothing is generated or written. */
  configuredKeys?: string;
  /** File that persists generated keys (embedded mode); unset keeps them in memory only (tests). */
  file?: string;
  rotationMs: number;
  /** Access-token lifetime: how long a retired key must stay published. */
  tokenTtlMs: number;
  now?: () => number;
}

/** A signing key ready for jose. */
export interface SigningKey {
  kid: string;
  key: CryptoKey;
}

/** The signing keys and their public JWKS. */
export interface KeyRing {
  /** The key that signs new tokens (rotated first when it is due). */
  signingKey(): Promise<SigningKey>;
  /** Public keys of every key whose tokens may still be live. */
  jwks(): Promise<{ keys: JWK[] }>;
  /** Replaces the signing key now, keeping the old one published (embedded mode only). */
  rotate(): Promise<void>;
}

async function newStoredKey(now: number): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { crv: "Ed25519", extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, jwk: { ...jwk, kid, alg: ACCESS_TOKEN_ALG, use: "sig" }, createdAt: now };
}

function publicPart(jwk: JWK): JWK {
  const { d: _d, ...pub } = jwk;
  return pub;
}

/** Builds a key ring; keys load on first use, so constructing it does no I/O. */
export function createKeyRing(options: KeyRingOptions): KeyRing {
  const now = options.now ?? Date.now;
  let keys: Promise<StoredKey[]> | undefined;
  const imported = new Map<string, Promise<CryptoKey>>();

  async function load(): Promise<StoredKey[]> {
    if (options.configuredKeys) {
      const list = JSON.parse(options.configuredKeys) as JWK[];
      if (
        !Array.isArray(list) || list.length === 0 || list.some((k) => !k.kid || !k.d || k.crv !== "Ed25519")
      ) {
        throw new Error("JWT_SIGNING_KEYS must be a JSON array of private Ed25519 JWKs, each with a kid");
      }
      // Configured keys never rotate here: the operator rotates by listing a new key first.
      return list.map((jwk) => ({
        kid: jwk.kid!,
        jwk: { ...jwk, alg: ACCESS_TOKEN_ALG, use: "sig" },
        createdAt: now(),
      }));
    }
    if (options.file) {
      try {
        const stored = JSON.parse(await Deno.readTextFile(options.file)) as StoredKey[];
        if (stored.length > 0) return stored;
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    }
    const fresh = [await newStoredKey(now())];
    await persist(fresh);
    return fresh;
  }

  async function persist(list: StoredKey[]): Promise<void> {
    if (!options.file || options.configuredKeys) return;
    const dir = options.file.slice(0, options.file.lastIndexOf("/"));
    if (dir) await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${options.file}.tmp`;
    await Deno.writeTextFile(tmp, JSON.stringify(list, null, 2), { mode: 0o600 });
    await Deno.rename(tmp, options.file);
  }

  async function rotateNow(list: StoredKey[]): Promise<StoredKey[]> {
    const at = now();
    const kept = list
      .map((k, i) => (i === 0 ? { ...k, retiredAt: at } : k))
      .filter((k) => k.retiredAt === undefined || k.retiredAt + options.tokenTtlMs > at);
    const next = [await newStoredKey(at), ...kept];
    await persist(next);
    return next;
  }

  async function current(): Promise<StoredKey[]> {
    keys ??= load();
    const seen = keys;
    const list = await seen;
    if (options.configuredKeys || list[0].createdAt + options.rotationMs > now()) return list;
    // Only the first caller to notice rotates; the others wait for its result instead of adding keys of their own.
    if (keys === seen) keys = rotateNow(list);
    return await keys;
  }

  return {
    async signingKey() {
      const [first] = await current();
      let key = imported.get(first.kid);
      if (!key) {
        key = importJWK(first.jwk, ACCESS_TOKEN_ALG) as Promise<CryptoKey>;
        imported.set(first.kid, key);
      }
      return { kid: first.kid, key: await key };
    },
    async jwks() {
      const list = await current();
      const at = now();
      return {
        keys: list
          .filter((k) => k.retiredAt === undefined || k.retiredAt + options.tokenTtlMs > at)
          .map((k) => publicPart(k.jwk)),
      };
    },
    async rotate() {
      if (options.configuredKeys) {
        throw new Error("Configured signing keys are rotated by changing JWT_SIGNING_KEYS");
      }
      keys = rotateNow(await current());
      await keys;
    },
  };
}

/** Makes a JWT_SIGNING_KEYS value with one fresh key (for `deno task` helpers and tests). */
export async function generateSigningKeysValue(): Promise<string> {
  const key = await newStoredKey(Date.now());
  return JSON.stringify([key.jwk]);
}
