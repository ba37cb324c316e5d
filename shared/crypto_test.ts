import assert from "node:assert/strict";
import {
  base64url,
  fromBase64url,
  randomToken,
  sha256,
  sha256Base64urlSync,
  sha256Hex,
  sha256Sync,
  toHex,
} from "./crypto.ts";

const ABC_HEX = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

Deno.test("sha256Hex() gives the FIPS 180-2 digest of text and bytes, shortened on request", async () => {
  assert.equal(await sha256Hex("abc"), ABC_HEX);
  assert.equal(await sha256Hex(new TextEncoder().encode("abc")), ABC_HEX);
  assert.equal(await sha256Hex("abc", 12), ABC_HEX.slice(0, 24));
  assert.equal(toHex(await sha256("abc")), ABC_HEX);
  assert.equal(toHex(sha256Sync("abc")), ABC_HEX, "the calling thread's digest is the same");
  assert.deepEqual(sha256Sync(new TextEncoder().encode("abc")), await sha256("abc"));
});

Deno.test("sha256Base64urlSync() is the same digest in base64url, and base64url() round-trips", async () => {
  assert.equal(sha256Base64urlSync("abc"), base64url(await sha256("abc")));
  assert.equal(sha256Base64urlSync(new Uint8Array()), "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
  assert.equal(base64url("hé?>"), "aMOpPz4");
  const bytes = new Uint8Array([251, 255, 191, 0, 1]);
  assert.equal(base64url(bytes), "-_-_AAE");
  assert.deepEqual(fromBase64url("-_-_AAE"), bytes);
  assert.deepEqual(fromBase64url("-_-_AAE="), bytes);
});

Deno.test("fromBase64url() refuses other characters and impossible lengths", () => {
  assert.throws(() => fromBase64url("ab+c"), TypeError);
  assert.throws(() => fromBase64url("abcde"), TypeError);
  assert.throws(() => fromBase64url("ab c"), TypeError);
});

Deno.test("randomToken() gives 32 random bytes as 43 base64url characters, different each time", () => {
  const a = randomToken();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, randomToken());
  assert.equal(fromBase64url(randomToken(16)).length, 16);
});
