import assert from "node:assert/strict";
import { type AssertedRequest, bodyDigest, signAssertion, verifyAssertion } from "./assertion.ts";

const secret = "s".repeat(32);
const identity = { userId: crypto.randomUUID(), role: "STUDENT" as const, jti: "j1", exp: 2_000_000_000 };

async function request(overrides: Partial<AssertedRequest> = {}): Promise<AssertedRequest> {
  return { method: "GET", path: "/v1/me", query: "", bodySha256: await bodyDigest(), ...overrides };
}

Deno.test("verifyAssertion() accepts an assertion for the same method, path, query and body", async () => {
  const token = await signAssertion(secret, {
    identity,
    ...(await request({ method: "get" })),
    clientIp: "1.2.3.4",
  });
  const verified = await verifyAssertion(secret, token, await request());
  assert.deepEqual(verified.identity, { ...identity, mfa: undefined });
  assert.equal(verified.clientIp, "1.2.3.4");
  assert.ok(verified.id);
});

Deno.test("verifyAssertion() carries no identity for an anonymous caller, only the client address", async () => {
  const token = await signAssertion(secret, { ...(await request()), clientIp: "203.0.113.5" });
  const verified = await verifyAssertion(secret, token, await request());
  assert.equal(verified.identity, undefined);
  assert.equal(verified.clientIp, "203.0.113.5");
});

Deno.test("verifyAssertion() rejects another path, method, query, body, secret and an old assertion", async () => {
  const body = new TextEncoder().encode('{"to":"a"}');
  const signed = await request({ method: "POST", path: "/v1/notifications", query: "?limit=1" });
  signed.bodySha256 = await bodyDigest(body);
  const token = await signAssertion(secret, { identity, ...signed, clientIp: "1.2.3.4" });
  await verifyAssertion(secret, token, signed);
  await assert.rejects(verifyAssertion(secret, token, { ...signed, path: "/v1/audit" }), /another request/);
  await assert.rejects(verifyAssertion(secret, token, { ...signed, method: "PUT" }), /another request/);
  await assert.rejects(verifyAssertion(secret, token, { ...signed, query: "?limit=100" }), /another request/);
  await assert.rejects(verifyAssertion(secret, token, { ...signed, query: "" }), /another request/);
  const other = await bodyDigest(new TextEncoder().encode('{"to":"b"}'));
  await assert.rejects(
    verifyAssertion(secret, token, { ...signed, bodySha256: other }),
    /another request body/,
  );
  await assert.rejects(verifyAssertion("x".repeat(32), token, signed), /rejected/);
  const old = await signAssertion(
    secret,
    { identity, ...signed, clientIp: "1.2.3.4" },
    Math.floor(Date.now() / 1000) - 60,
  );
  await assert.rejects(verifyAssertion(secret, old, signed), /rejected/);
});

Deno.test("bodyDigest() is the base64url SHA-256 of the bytes, and an absent body hashes as empty", async () => {
  assert.equal(await bodyDigest(), "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
  assert.equal(await bodyDigest(new Uint8Array()), await bodyDigest(null));
});

Deno.test("signAssertion() makes a standard compact HS256 JWT: jose verifies it with the shared secret", async () => {
  const { jwtVerify, decodeProtectedHeader } = await import("jose");
  const token = await signAssertion(
    secret,
    { identity, ...(await request()), clientIp: "1.2.3.4" },
    1_700_000_000,
  );
  assert.deepEqual(decodeProtectedHeader(token), { alg: "HS256", typ: "edge-assertion+jwt" });
  const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
    algorithms: ["HS256"],
    issuer: "ai-teacher-edge",
    audience: "ai-teacher-core",
    currentDate: new Date(1_700_000_010_000),
  });
  assert.equal(payload.sub, identity.userId);
  assert.equal(payload.iat, 1_700_000_000);
  assert.equal(payload.exp, 1_700_000_030);
  assert.equal(payload.htu, "/v1/me");
  assert.equal(payload.cip, "1.2.3.4");
  // Each assertion has its own id, and a token signed with another secret is refused.
  const again = await signAssertion(
    secret,
    { identity, ...(await request()), clientIp: "1.2.3.4" },
    1_700_000_000,
  );
  assert.notEqual(again, token);
  await assert.rejects(jwtVerify(token, new TextEncoder().encode("x".repeat(32))), /signature/);
});

Deno.test("verifyAssertion() refuses alg none, another alg, a tampered payload, and wrong or missing claims", async () => {
  const { createHmac } = await import("node:crypto");
  const b64 = (v: unknown) =>
    btoa(JSON.stringify(v)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const now = Math.floor(Date.now() / 1000);
  const signed = await request();
  const claims = {
    htm: "GET",
    htu: "/v1/me",
    htq: "",
    bsh: signed.bodySha256,
    cip: "1.2.3.4",
    jti: crypto.randomUUID(),
    iss: "ai-teacher-edge",
    aud: "ai-teacher-core",
    iat: now,
    exp: now + 30,
  };
  const forge = (payload: Record<string, unknown>, header: Record<string, unknown> = { alg: "HS256" }) => {
    const input = `${b64(header)}.${b64(payload)}`;
    return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
  };
  // The forge itself makes valid assertions: each refusal below is for the one thing changed.
  await verifyAssertion(secret, forge(claims), signed);
  await assert.rejects(
    verifyAssertion(secret, `${b64({ alg: "none" })}.${b64(claims)}.`, signed),
    /rejected/,
  );
  await assert.rejects(verifyAssertion(secret, forge(claims, { alg: "HS512" }), signed), /alg HS512/);
  await assert.rejects(
    verifyAssertion(secret, forge(claims, { alg: "HS256", crit: ["x"] }), signed),
    /critical/,
  );
  const [h, , s] = forge(claims).split(".");
  await assert.rejects(
    verifyAssertion(secret, `${h}.${b64({ ...claims, cip: "6.6.6.6" })}.${s}`, signed),
    /signature/,
  );
  await assert.rejects(verifyAssertion(secret, forge({ ...claims, iss: "someone" }), signed), /"iss"/);
  await assert.rejects(verifyAssertion(secret, forge({ ...claims, aud: "ai-teacher-api" }), signed), /"aud"/);
  const { jti: _jti, ...noJti } = claims;
  await assert.rejects(verifyAssertion(secret, forge(noJti), signed), /"jti"/);
  const { iat: _iat, ...noIat } = claims;
  await assert.rejects(verifyAssertion(secret, forge(noIat), signed), /"iat"/);
  await assert.rejects(verifyAssertion(secret, forge({ ...claims, exp: now - 10 }), signed), /"exp"/);
  await assert.rejects(verifyAssertion(secret, forge({ ...claims, iat: now + 60 }), signed), /in the past/);
  await assert.rejects(verifyAssertion(secret, forge({ ...claims, nbf: now + 60 }), signed), /"nbf"/);
  await assert.rejects(verifyAssertion(secret, "a.b", signed), /compact JWS/);
  await assert.rejects(verifyAssertion(secret, forge(claims) + "!", signed), /compact JWS/);
});
