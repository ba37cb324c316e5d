/** The JWT attack set against the edge: every forged or stale token gets 401 with `error="invalid_token"`. */
import assert from "node:assert/strict";
import { base64url, generateKeyPair, SignJWT } from "jose";
import { revokedJtiKey } from "../../shared/access_token.ts";
import { MemoryKv } from "../../shared/kv/memory.ts";
import { dbTest } from "../../shared/db/testing.ts";
import { createTestUser } from "../../core/auth/testing.ts";
import { createTestStack, type TestStack } from "../../testing/stack.ts";

async function forge(
  stack: TestStack,
  options: {
    claims?: Record<string, unknown>;
    header?: Record<string, unknown>;
    key?: CryptoKey | Uint8Array;
    noKid?: boolean;
  } = {},
): Promise<string> {
  const { kid, key } = await stack.coreServices.keys.signingKey();
  const env = stack.coreServices.env;
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: "EdDSA", typ: "at+jwt", ...(options.noKid ? {} : { kid }), ...options.header };
  return await new SignJWT({
    sub: String(options.claims?.sub ?? crypto.randomUUID()),
    role: "STUDENT",
    mfa: false,
    jti: crypto.randomUUID(),
    iat: now,
    exp: now + 600,
    iss: env.JWT_ISSUER,
    aud: env.JWT_AUDIENCE,
    ...options.claims,
  }).setProtectedHeader(header as { alg: string }).sign(options.key ?? key);
}

async function callMe(stack: TestStack, token: string) {
  return await stack.edge.request("/api/v1/me", { headers: { Authorization: `Bearer ${token}` } });
}

async function assertInvalid(stack: TestStack, token: string, what: string) {
  const res = await callMe(stack, token);
  assert.equal(res.status, 401, what);
  assert.equal(res.headers.get("www-authenticate"), 'Bearer error="invalid_token"', what);
  assert.equal((await res.json()).error.code, "UNAUTHORIZED", what);
}

dbTest("[edge] a genuine access token reaches core through the edge", async (database) => {
  const stack = createTestStack(database);
  const user = await createTestUser(database);
  const res = await callMe(stack, await forge(stack, { claims: { sub: user.id } }));
  assert.equal(res.status, 200);
  assert.equal((await res.json()).id, user.id);
});

dbTest("[edge] the JWT attack set is refused with 401 invalid_token", async (database) => {
  const stack = createTestStack(database);
  // A student, as the forged tokens say: core checks the token's role against the account's.
  const user = await createTestUser(database);
  const sub = user.id;
  const now = Math.floor(Date.now() / 1000);
  const { kid } = await stack.coreServices.keys.signingKey();
  const good = await forge(stack, { claims: { sub } });
  const [, payload] = good.split(".");

  // alg none: header and payload, empty signature.
  const none = `${base64url.encode(JSON.stringify({ alg: "none", kid }))}.${payload}.`;
  await assertInvalid(stack, none, "alg none");

  // HS256 signed with the public key as the HMAC secret (the classic key-confusion attack).
  const jwks = await (await stack.core.request("/.well-known/jwks.json")).json();
  const publicKeyText = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
  const publicX = base64url.decode(jwks.keys[0].x);
  for (const secret of [publicKeyText, publicX]) {
    const hs = await new SignJWT(JSON.parse(new TextDecoder().decode(base64url.decode(payload))))
      .setProtectedHeader({ alg: "HS256", kid }).sign(secret);
    await assertInvalid(stack, hs, "HS256 with the public key");
  }

  // Right kid, wrong key; and an unknown kid (refetches the JWKS, still no key).
  const { privateKey: otherKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  await assertInvalid(stack, await forge(stack, { claims: { sub }, key: otherKey }), "wrong key");
  await assertInvalid(
    stack,
    await forge(stack, { claims: { sub }, key: otherKey, header: { kid: "attacker-kid" } }),
    "unknown kid",
  );
  // Another algorithm, even a valid signature with a key of the attacker's own (ES256).
  const { privateKey: ecKey } = await generateKeyPair("ES256");
  await assertInvalid(
    stack,
    await forge(stack, { claims: { sub }, key: ecKey, header: { alg: "ES256" } }),
    "ES256",
  );

  await assertInvalid(
    stack,
    await forge(stack, { claims: { sub, iat: now - 1200, exp: now - 600 } }),
    "expired",
  );
  await assertInvalid(stack, await forge(stack, { claims: { sub, nbf: now + 600 } }), "nbf in the future");
  await assertInvalid(
    stack,
    await forge(stack, { claims: { sub, iss: "https://evil.example" } }),
    "wrong iss",
  );
  await assertInvalid(stack, await forge(stack, { claims: { sub, aud: "another-api" } }), "wrong aud");
  await assertInvalid(stack, await forge(stack, { claims: { sub }, noKid: true }), "missing kid");

  const jti = crypto.randomUUID();
  const revoked = await forge(stack, { claims: { sub, jti } });
  assert.equal((await callMe(stack, revoked)).status, 200);
  await stack.kv.set(revokedJtiKey(jti), "1", { ttlMs: 60_000 });
  await assertInvalid(stack, revoked, "revoked jti");

  // Tampered payload: promote the student to ADMIN with mfa, keep the original signature.
  const student = await forge(stack, { claims: { sub } });
  const [h, p, s] = student.split(".");
  const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p)));
  const tampered = `${h}.${base64url.encode(JSON.stringify({ ...claims, role: "ADMIN", mfa: true }))}.${s}`;
  await assertInvalid(stack, tampered, "tampered payload");

  await assertInvalid(stack, "not-a-jwt", "garbage");
  await assertInvalid(
    stack,
    await forge(stack, { claims: { sub }, header: { typ: "JWT" } }),
    "not an access token",
  );
  await assertInvalid(stack, await forge(stack, { claims: { sub, role: "ROOT" } }), "unknown role");
});

dbTest("[edge] a missing token gets 401 with a Bearer challenge; a wrong role gets 403", async (database) => {
  const stack = createTestStack(database);
  const anonymous = await stack.edge.request("/api/v1/me");
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.headers.get("www-authenticate"), "Bearer");
  const student = await createTestUser(database);
  const target = await createTestUser(database);
  const res = await stack.edge.request(`/api/v1/users/${target.id}/role`, {
    method: "PATCH",
    headers: { ...(await stack.bearer(student)), "content-type": "application/json" },
    body: JSON.stringify({ role: "ADMIN" }),
  });
  assert.equal(res.status, 403);
  const unlisted = await stack.edge.request("/api/v1/not-in-the-policy", {
    headers: await stack.bearer(student),
  });
  assert.equal(unlisted.status, 403);
  assert.equal((await stack.edge.request("/api/v1/not-in-the-policy")).status, 401);
});

dbTest("[edge] an admin without 2FA may only enrol (and read their account)", async (database) => {
  const stack = createTestStack(database);
  const admin = await createTestUser(database, { role: "ADMIN" });
  const target = await createTestUser(database);
  const bearer = await stack.bearer(admin, { mfa: false });
  const change = await stack.edge.request(`/api/v1/users/${target.id}/role`, {
    method: "PATCH",
    headers: { ...bearer, "content-type": "application/json" },
    body: JSON.stringify({ role: "ACADEMIC" }),
  });
  assert.equal(change.status, 403);
  assert.match((await change.json()).error.message, /two-factor/);
  assert.equal((await stack.edge.request("/api/v1/me", { headers: bearer })).status, 200);
  const enrol = await stack.edge.request("/api/v1/auth/2fa/enrol", { method: "POST", headers: bearer });
  assert.equal(enrol.status, 200);
  const withMfa = await stack.edge.request(`/api/v1/users/${target.id}/role`, {
    method: "PATCH",
    headers: { ...(await stack.bearer(admin)), "content-type": "application/json" },
    body: JSON.stringify({ role: "ACADEMIC" }),
  });
  assert.equal(withMfa.status, 200);
});

dbTest(
  "[edge] a rotated signing key is picked up by refetching the JWKS on the unknown kid",
  async (database) => {
    const stack = createTestStack(database, {
      edgeEnv: { JWKS_CACHE_SECONDS: "3600", JWKS_COOLDOWN_SECONDS: "0" },
    });
    const user = await createTestUser(database);
    assert.equal((await callMe(stack, await forge(stack, { claims: { sub: user.id } }))).status, 200);
    const before = await forge(stack, { claims: { sub: user.id } });
    await stack.coreServices.keys.rotate();
    const after = await forge(stack, { claims: { sub: user.id } });
    assert.equal((await callMe(stack, after)).status, 200, "new kid → JWKS refetched");
    assert.equal(
      (await callMe(stack, before)).status,
      200,
      "old key still published until its tokens expire",
    );
  },
);

dbTest("[edge] when core's keys cannot be fetched the edge answers 503, not 401", async (database) => {
  const user = await createTestUser(database);
  const unreachable = createTestStack(database, {
    fetch: (() => Promise.reject(new TypeError("connection refused"))) as typeof fetch,
  });
  const res = await callMe(unreachable, await forge(unreachable, { claims: { sub: user.id } }));
  assert.equal(res.status, 503);
  assert.equal((await res.json()).error.code, "UNAVAILABLE");
});

dbTest(
  "[edge] when the revocation list cannot be read the edge refuses with 503 and Retry-After (fails closed)",
  async (database) => {
    const user = await createTestUser(database);
    const down = new MemoryKv();
    down.get = () => Promise.reject(new Error("connection refused"));
    const stack = createTestStack(database, { kv: down });
    const res = await callMe(stack, await forge(stack, { claims: { sub: user.id } }));
    assert.equal(res.status, 503);
    // docs/kv.md declares it: clients are told when to try again (seen missing in a Redis restart under load).
    assert.equal(res.headers.get("retry-after"), "5");
    assert.equal((await res.json()).error.code, "UNAVAILABLE");
  },
);
