import assert from "node:assert/strict";
import { createLocalJWKSet, jwtVerify, SignJWT } from "jose";
import { createKeyRing, generateSigningKeysValue } from "./keys.ts";

Deno.test("createKeyRing() persists a generated key pair and loads the same key after a restart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/keys/jwt_signing_keys.json`;
    const options = { file, rotationMs: 86_400_000, tokenTtlMs: 900_000 };
    const first = await createKeyRing(options).signingKey();
    const again = await createKeyRing(options).signingKey();
    assert.equal(again.kid, first.kid);
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
    const jwks = await createKeyRing(options).jwks();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].d, undefined, "the JWKS must not publish the private part");
    assert.equal(jwks.keys[0].kid, first.kid);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a rotated key stays published until its tokens have expired, then is dropped", async () => {
  let now = 1_000_000;
  const ring = createKeyRing({ rotationMs: 10_000, tokenTtlMs: 900, now: () => now });
  const old = await ring.signingKey();
  const token = await new SignJWT({}).setProtectedHeader({ alg: "EdDSA", kid: old.kid }).sign(old.key);
  now += 10_000; // rotation due
  const current = await ring.signingKey();
  assert.notEqual(current.kid, old.kid);
  const published = await ring.jwks();
  assert.deepEqual(published.keys.map((k) => k.kid), [current.kid, old.kid]);
  await jwtVerify(token, createLocalJWKSet(published));
  now += 1_000; // past the old key's last token
  assert.deepEqual((await ring.jwks()).keys.map((k) => k.kid), [current.kid]);
});

Deno.test("configured keys sign with the first and publish all; rotating them here is refused", async () => {
  const a = JSON.parse(await generateSigningKeysValue());
  const b = JSON.parse(await generateSigningKeysValue());
  const ring = createKeyRing({
    configuredKeys: JSON.stringify([...a, ...b]),
    rotationMs: 1,
    tokenTtlMs: 900_000,
  });
  assert.equal((await ring.signingKey()).kid, a[0].kid);
  assert.deepEqual((await ring.jwks()).keys.map((k) => k.kid), [a[0].kid, b[0].kid]);
  await assert.rejects(ring.rotate(), /JWT_SIGNING_KEYS/);
  const bad = createKeyRing({ configuredKeys: '[{"kty":"OKP"}]', rotationMs: 1, tokenTtlMs: 1 });
  await assert.rejects(bad.signingKey(), /private Ed25519 JWKs/);
});

Deno.test("concurrent callers noticing a due rotation add exactly one new key", async () => {
  let now = 5_000_000;
  const ring = createKeyRing({ rotationMs: 1_000, tokenTtlMs: 60_000, now: () => now });
  await ring.signingKey();
  now += 1_000;
  const kids = new Set((await Promise.all([1, 2, 3, 4].map(() => ring.signingKey()))).map((k) => k.kid));
  assert.equal(kids.size, 1);
  assert.equal((await ring.jwks()).keys.length, 2);
});
