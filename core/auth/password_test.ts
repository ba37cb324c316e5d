import assert from "node:assert/strict";
import { checkPasswordPolicy, hashPassword, normaliseEmail, verifyPassword } from "./password.ts";

const fast = { memoryKib: 64, iterations: 1, parallelism: 1 };

Deno.test("hashPassword() makes an argon2id PHC string that verifyPassword() accepts only for the same password", async () => {
  const hash = await hashPassword("correct horse battery", fast);
  assert.match(hash, /^\$argon2id\$v=19\$m=64,t=1,p=1\$/);
  assert.equal(await verifyPassword("correct horse battery", hash), true);
  assert.equal(await verifyPassword("correct horse batterY", hash), false);
  assert.equal(await verifyPassword("x", "not a hash"), false);
});

Deno.test("normaliseEmail() trims and lower-cases", () => {
  assert.equal(normaliseEmail("  Ada.Lovelace@Example.EDU "), "ada.lovelace@example.edu");
});

Deno.test("checkPasswordPolicy() refuses short passwords and ones built from the email", () => {
  assert.throws(() => checkPasswordPolicy("short", "ada@x.edu", 10), /at least 10 characters/);
  assert.throws(
    () => checkPasswordPolicy("lovelace-2024!", "lovelace@x.edu", 10),
    /must not contain your email/,
  );
  assert.throws(() => checkPasswordPolicy("a".repeat(257), "ada@x.edu", 10), /at most 256/);
  checkPasswordPolicy("a long and fine passphrase", "ada@x.edu", 10);
});
