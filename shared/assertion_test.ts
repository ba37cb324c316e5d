import assert from "node:assert/strict";
import { signAssertion, verifyAssertion } from "./assertion.ts";

const secret = "s".repeat(32);
const identity = { userId: crypto.randomUUID(), role: "STUDENT" as const, jti: "j1", exp: 2_000_000_000 };

Deno.test("verifyAssertion() accepts an assertion for the same method and path", async () => {
  const token = await signAssertion(secret, { identity, method: "get", path: "/v1/me" });
  const caller = await verifyAssertion(secret, token, { method: "GET", path: "/v1/me" });
  assert.deepEqual(caller, { ...identity, mfa: undefined });
});

Deno.test("verifyAssertion() rejects another path, another method, another secret and an old assertion", async () => {
  const token = await signAssertion(secret, { identity, method: "GET", path: "/v1/me" });
  await assert.rejects(
    verifyAssertion(secret, token, { method: "GET", path: "/v1/audit" }),
    /another request/,
  );
  await assert.rejects(verifyAssertion(secret, token, { method: "POST", path: "/v1/me" }), /another request/);
  await assert.rejects(verifyAssertion("x".repeat(32), token, { method: "GET", path: "/v1/me" }), /rejected/);
  const old = await signAssertion(
    secret,
    { identity, method: "GET", path: "/v1/me" },
    Math.floor(Date.now() / 1000) - 60,
  );
  await assert.rejects(verifyAssertion(secret, old, { method: "GET", path: "/v1/me" }), /rejected/);
});
